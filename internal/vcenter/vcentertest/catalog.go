package vcentertest

import (
	"fmt"
	"regexp"
	"strings"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/examples"
	"github.com/tkr-project/tkr/internal/scheme"
	"github.com/tkr-project/tkr/pkg/catalog"
)

// buildHash is the suffix image-builder appends to an OVA's VERSION.
var buildHash = regexp.MustCompile(`-[0-9a-f]{32}$`)

// ImagesFor returns a VM template in datacenter dc, folder folder, for every OSImage of type ova,
// named and carrying vApp properties as image-builder writes them: the name is
// <os-name>-<os-version>-kube-<OVA version without its build hash>, e.g.
// ubuntu-2004-kube-v1.24.9+vmware.1-tkg.1, and DISTRO_VERSION is dotted (20.04) where the
// OSImage's os.version is not (2004).
func ImagesFor(osImages []runv1alpha3.OSImage, dc, folder string) []Image {
	var out []Image
	for _, img := range osImages {
		if img.Spec.Image.Type != "ova" {
			continue
		}
		version, _ := img.Spec.Image.Ref["version"].(string)
		if version == "" {
			continue
		}
		os := img.Spec.OS
		out = append(out, Image{
			Datacenter: dc, Folder: folder, Template: true,
			Name:          os.Name + "-" + os.Version + "-kube-" + buildHash.ReplaceAllString(version, ""),
			Version:       version,
			DistroName:    os.Name,
			DistroVersion: dotted(os.Name, os.Version),
			DistroArch:    os.Arch,
		})
	}
	return out
}

// dotted writes an Ubuntu release as image-builder does (2004 → 20.04); other distributions'
// versions carry no dot to restore.
func dotted(name, version string) string {
	if name == "ubuntu" && len(version) == 4 && !strings.Contains(version, ".") {
		return version[:2] + "." + version[2:]
	}
	return version
}

// ExampleOSImages returns the OSImages of the example catalogue (examples/catalog), whose OVAs
// the playground and the tests put into vcsim with [ImagesFor].
func ExampleOSImages() ([]runv1alpha3.OSImage, error) {
	objs, err := catalog.LoadFS(examples.FS, "catalog")
	if err != nil {
		return nil, fmt.Errorf("reading the example catalogue: %w", err)
	}
	s := scheme.New()
	var out []runv1alpha3.OSImage
	for _, o := range catalog.Filter(objs, runv1alpha3.GroupVersion.WithKind("OSImage").GroupKind()) {
		img := runv1alpha3.OSImage{}
		if err := o.Into(s, &img); err != nil {
			return nil, fmt.Errorf("reading the example OSImage %s: %w", o.GetName(), err)
		}
		out = append(out, img)
	}
	return out, nil
}
