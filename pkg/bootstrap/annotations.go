package bootstrap

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tkr-project/tkr/pkg/tkrdata"
)

// Annotations the ClusterBootstrap controller writes on a Cluster from its topology variables, for
// the add-on config controllers (kapp-controller's proxy and trust settings, the CPI's IP family).
const (
	AnnotationHTTPProxy     = "tkg.tanzu.vmware.com/tkg-http-proxy"
	AnnotationHTTPSProxy    = "tkg.tanzu.vmware.com/tkg-https-proxy"
	AnnotationNoProxy       = "tkg.tanzu.vmware.com/tkg-no-proxy"
	AnnotationProxyCACert   = "tkg.tanzu.vmware.com/tkg-proxy-ca-cert"
	AnnotationIPFamily      = "tkg.tanzu.vmware.com/tkg-ip-family"
	AnnotationSkipTLSVerify = "tkg.tanzu.vmware.com/skip-tls-verify"
)

// IPFamilyVariable is the Cluster variable holding the IP family (ipv4, ipv6, "ipv4,ipv6", ...).
const IPFamilyVariable = "tkg.tanzu.vmware.com/tkg-ip-family"

// ClusterAnnotations returns the proxy, trust and IP-family annotations a Cluster should carry,
// read from its topology variables proxy {httpProxy, httpsProxy, noProxy}, trust
// {additionalTrustedCAs[].data}, skipTLSVerify and tkg.tanzu.vmware.com/tkg-ip-family. Every key is
// returned, "" where the variable is absent, as the original wrote them.
//
// A variable of the wrong shape yields "" for its annotations and is reported in problems, so one
// bad variable neither blocks the others nor the ClusterBootstrap; the config controllers that
// consume the annotations validate what they need.
func ClusterAnnotations(c tkrdata.Cluster) (annotations map[string]string, problems []error) {
	annotations = map[string]string{
		AnnotationHTTPProxy: "", AnnotationHTTPSProxy: "", AnnotationNoProxy: "",
		AnnotationProxyCACert: "", AnnotationIPFamily: "", AnnotationSkipTLSVerify: "",
	}
	var proxy struct {
		HTTPProxy  string   `json:"httpProxy"`
		HTTPSProxy string   `json:"httpsProxy"`
		NoProxy    []string `json:"noProxy"`
	}
	if err := variable(c, "proxy", &proxy); err != nil {
		problems = append(problems, err)
	} else {
		annotations[AnnotationHTTPProxy] = proxy.HTTPProxy
		annotations[AnnotationHTTPSProxy] = proxy.HTTPSProxy
		annotations[AnnotationNoProxy] = strings.Join(proxy.NoProxy, ",")
	}

	var trust struct {
		AdditionalTrustedCAs []struct {
			Data string `json:"data"`
		} `json:"additionalTrustedCAs"`
	}
	if err := variable(c, "trust", &trust); err != nil {
		problems = append(problems, err)
	} else if len(trust.AdditionalTrustedCAs) > 0 {
		// Each certificate is decoded and ended with a newline, so the bundle stays one PEM file
		// per line run; the concatenation is encoded again, as the consumers expect base64.
		var bundle []byte
		ok := true
		for i, ca := range trust.AdditionalTrustedCAs {
			pem, err := base64.StdEncoding.DecodeString(ca.Data)
			if err != nil {
				problems = append(problems, fmt.Errorf("variable trust: additionalTrustedCAs[%d].data is not base64: %w", i, err))
				ok = false
				break
			}
			bundle = append(append(bundle, pem...), '\n')
		}
		if ok {
			annotations[AnnotationProxyCACert] = base64.StdEncoding.EncodeToString(bundle)
		}
	}

	var family string
	if err := variable(c, IPFamilyVariable, &family); err != nil {
		problems = append(problems, err)
	} else {
		annotations[AnnotationIPFamily] = family
	}

	var skip []string
	if err := variable(c, "skipTLSVerify", &skip); err != nil {
		problems = append(problems, err)
	} else {
		annotations[AnnotationSkipTLSVerify] = strings.Join(skip, ", ")
	}
	return annotations, problems
}

// variable decodes the Cluster variable name into v; an absent variable leaves v alone.
func variable(c tkrdata.Cluster, name string, v any) error {
	raw, ok := c.Variable(name)
	if !ok || len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("variable %s: %w", name, err)
	}
	return nil
}
