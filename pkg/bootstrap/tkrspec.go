package bootstrap

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"io"

	"sigs.k8s.io/yaml"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
)

// maxTKRSpec bounds the decompressed annotation: a TKR is a few kilobytes, and the annotation is
// written by whoever can edit the Cluster, so a small gzip bomb must not exhaust the controller.
const maxTKRSpec = 1 << 20

// DecodeTKRSpec reads the annotation run.tanzu.vmware.com/tkr-spec (base64 of gzip of the TKR's
// YAML), which stands in for a TKR object that is missing from the management cluster.
func DecodeTKRSpec(annotation string) (*runv1alpha3.TanzuKubernetesRelease, error) {
	compressed, err := base64.StdEncoding.DecodeString(annotation)
	if err != nil {
		return nil, fmt.Errorf("annotation %s is not base64: %w", runv1alpha3.AnnotationTKRSpec, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return nil, fmt.Errorf("annotation %s is not gzip-compressed: %w", runv1alpha3.AnnotationTKRSpec, err)
	}
	data, err := io.ReadAll(io.LimitReader(zr, maxTKRSpec+1))
	if err != nil {
		return nil, fmt.Errorf("annotation %s: decompressing: %w", runv1alpha3.AnnotationTKRSpec, err)
	}
	if len(data) > maxTKRSpec {
		return nil, fmt.Errorf("annotation %s decompresses to more than %d bytes; a TKR is far smaller", runv1alpha3.AnnotationTKRSpec, maxTKRSpec)
	}
	tkr := &runv1alpha3.TanzuKubernetesRelease{}
	if err := yaml.Unmarshal(data, tkr); err != nil {
		return nil, fmt.Errorf("annotation %s does not hold a TanzuKubernetesRelease: %w", runv1alpha3.AnnotationTKRSpec, err)
	}
	return tkr, nil
}

// EncodeTKRSpec is the inverse of DecodeTKRSpec.
func EncodeTKRSpec(tkr *runv1alpha3.TanzuKubernetesRelease) (string, error) {
	data, err := yaml.Marshal(tkr)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}
