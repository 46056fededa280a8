package tkrbundle

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/pkg/catalog"
	"github.com/tkr-project/tkr/pkg/imageslock"
	"github.com/tkr-project/tkr/pkg/version"
)

const (
	// PackagesDir is the directory of a repository bundle that holds the Packages.
	PackagesDir = "packages/"
	// PackageAPIVersion is the apiVersion of kapp-controller's Package and PackageMetadata.
	PackageAPIVersion = "data.packaging.carvel.dev/v1alpha1"
	// refNameSuffix turns a package repository name into a kapp package refName.
	refNameSuffix = ".tanzu.vmware.com"
	// installNamespace is where kapp-controller would deploy the package; only kept so the
	// Package is installable by kapp-controller too.
	installNamespace = "tkg-system"
)

// Package is a TKR Package found in a repository bundle: what the source controller turns into a
// Package object and later installs.
type Package struct {
	// File is the path of the file in the bundle, e.g.
	// packages/tkr-vsphere-nonparavirt.tanzu.vmware.com/1.24.9+vmware.1-tkg.1.yml.
	File string
	// Name is metadata.name.
	Name string
	// Version is the TKR version, spec.version with a leading "v": v1.24.9+vmware.1-tkg.1.
	Version string
	// BundleImage is spec.template.spec.fetch[0].imgpkgBundle.image: the package bundle,
	// normally by digest.
	BundleImage string
	// Object is the whole Package document.
	Object *unstructured.Unstructured
}

// RefName returns the kapp package refName of the TKR packages whose package bundles live in the
// repository repo (a repository path or a full reference): its last path element followed by
// .tanzu.vmware.com, e.g. tkr-vsphere-nonparavirt.tanzu.vmware.com.
func RefName(repo string) string {
	return path.Base(repo) + refNameSuffix
}

// RepositoryFiles returns the files of the repository bundle of TKR version v (with or without
// the leading "v"), whose package bundle is packageBundleDigestRef
// (<registry>/<repository>@sha256:...) and was pushed as packageBundleTagRef
// (<registry>/<repository>:<tag>):
//
//   - packages/<refName>/<version>.yml: the Package, labelled run.tanzu.vmware.com/tkr-package;
//   - packages/<refName>/metadata.yml: its PackageMetadata;
//   - .imgpkg/images.yml: an images lock listing the package bundle, so that imgpkg copy and
//     the controller's relocation can find it.
//
// refName is RefName of the package bundle's repository. The version is where the Package puts
// it, without "v", as kapp-controller requires SemVer.
func RepositoryFiles(v, packageBundleDigestRef, packageBundleTagRef string) (map[string][]byte, error) {
	if err := checkVersion(v); err != nil {
		return nil, fmt.Errorf("cannot make a repository bundle: %w", err)
	}
	digestRef, err := name.NewDigest(packageBundleDigestRef)
	if err != nil {
		return nil, fmt.Errorf("cannot make a repository bundle for %s: the package bundle reference %q is not a <repository>@sha256:<digest> reference: %w", v, packageBundleDigestRef, err)
	}
	tagRef, err := name.NewTag(packageBundleTagRef)
	if err != nil || strings.Contains(packageBundleTagRef, "@") {
		return nil, fmt.Errorf("cannot make a repository bundle for %s: the package bundle reference %q is not a <repository>:<tag> reference", v, packageBundleTagRef)
	}
	if tagRef.Context() != digestRef.Context() {
		return nil, fmt.Errorf("cannot make a repository bundle for %s: the package bundle references %q and %q name different repositories", v, packageBundleDigestRef, packageBundleTagRef)
	}

	refName := RefName(digestRef.Context().RepositoryStr())
	semver := strings.TrimPrefix(v, "v")
	pkg := packageDoc{
		APIVersion: PackageAPIVersion,
		Kind:       "Package",
		Metadata: objectMeta{
			Name:   refName + "." + semver,
			Labels: map[string]string{runv1alpha3.LabelTKRPackage: ""},
		},
		Spec: packageSpec{
			RefName: refName,
			Version: semver,
			Template: packageTemplate{Spec: appSpec{
				Fetch: []fetch{{ImgpkgBundle: imgpkgBundle{Image: packageBundleDigestRef}}},
				Template: []template{
					{Ytt: &paths{Paths: []string{"config/"}}},
					{Kbld: &paths{Paths: []string{"-", imageslock.Path}}},
				},
				Deploy: []deploy{{Kapp: kapp{IntoNs: installNamespace}}},
			}},
		},
	}
	meta := packageMetadataDoc{
		APIVersion: PackageAPIVersion,
		Kind:       "PackageMetadata",
		Metadata:   objectMeta{Name: refName},
		Spec: packageMetadataSpec{
			DisplayName:      "TanzuKubernetesReleases in " + path.Base(digestRef.Context().RepositoryStr()),
			ShortDescription: "The TanzuKubernetesRelease, OSImages, ClusterBootstrapTemplate and add-on configuration of one Kubernetes release.",
		},
	}
	lock, err := imageslock.New(imageslock.Image{
		Image:       packageBundleDigestRef,
		Annotations: map[string]string{imageslock.AnnotationKbldID: packageBundleTagRef},
	}).Marshal()
	if err != nil {
		return nil, fmt.Errorf("cannot write the images lock of the repository bundle for %s: %w", v, err)
	}
	pkgYAML, err := marshalYAML(pkg)
	if err != nil {
		return nil, fmt.Errorf("cannot write the Package for %s: %w", v, err)
	}
	metaYAML, err := marshalYAML(meta)
	if err != nil {
		return nil, fmt.Errorf("cannot write the PackageMetadata for %s: %w", v, err)
	}
	dir := PackagesDir + refName + "/"
	return map[string][]byte{
		dir + semver + ".yml": pkgYAML,
		dir + "metadata.yml":  metaYAML,
		imageslock.Path:       lock,
	}, nil
}

// ParseRepository returns the TKR Packages of a repository bundle: every Package document
// labelled run.tanzu.vmware.com/tkr-package in the files under packages/ other than the
// metadata.yml files, in order of file path and document. Documents of other kinds, and Packages
// without the label (bootstrap packages), are skipped.
//
// Unlike the original, which logged and skipped what it could not read, a file that does not parse
// or a TKR Package without spec.version or a package bundle is an error: the original marked such
// a Package installed with nothing installed, and nobody could tell why the release never
// appeared. A bundle without any TKR Package is an error for the same reason.
func ParseRepository(files map[string][]byte) ([]Package, error) {
	var pkgs []Package
	for _, file := range slices.Sorted(maps.Keys(files)) {
		if !strings.HasPrefix(file, PackagesDir) || strings.HasSuffix(file, "/metadata.yml") {
			continue
		}
		objs, err := catalog.Parse(file, files[file])
		if err != nil {
			return nil, fmt.Errorf("the repository bundle cannot be read: %w", err)
		}
		for _, o := range objs {
			if o.GetAPIVersion() != PackageAPIVersion || o.GetKind() != "Package" {
				continue
			}
			if _, ok := o.GetLabels()[runv1alpha3.LabelTKRPackage]; !ok {
				continue
			}
			p, err := tkrPackage(o)
			if err != nil {
				return nil, &catalog.Error{Source: o.Source, Err: err}
			}
			pkgs = append(pkgs, p)
		}
	}
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("the repository bundle holds no Package labelled %s under %s; publish it with tkr publish", runv1alpha3.LabelTKRPackage, PackagesDir)
	}
	return pkgs, nil
}

// tkrPackage reads the fields the source controller needs from a labelled Package.
func tkrPackage(o catalog.Object) (Package, error) {
	what := fmt.Sprintf("the TKR Package %q", o.GetName())
	if o.GetName() == "" {
		return Package{}, errors.New("the TKR Package has no metadata.name")
	}
	v, _, err := unstructured.NestedString(o.Object, "spec", "version")
	if err != nil || v == "" {
		return Package{}, fmt.Errorf("%s has no spec.version; set it to the TKR version without the leading v", what)
	}
	fetches, _, err := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "fetch")
	if err != nil || len(fetches) == 0 {
		return Package{}, fmt.Errorf("%s has no spec.template.spec.fetch; it must fetch the TKR's package bundle with imgpkgBundle.image", what)
	}
	first, ok := fetches[0].(map[string]any)
	if !ok {
		return Package{}, fmt.Errorf("%s: spec.template.spec.fetch[0] is not a mapping", what)
	}
	image, _, err := unstructured.NestedString(first, "imgpkgBundle", "image")
	if err != nil || image == "" {
		return Package{}, fmt.Errorf("%s has no spec.template.spec.fetch[0].imgpkgBundle.image; it must name the TKR's package bundle", what)
	}
	return Package{
		File:        o.Source.File,
		Name:        o.GetName(),
		Version:     version.WithV(v),
		BundleImage: image,
		Object:      o.Unstructured,
	}, nil
}

// checkVersion checks that v is a TKR version that can be used in image tags and file names.
func checkVersion(v string) error {
	if strings.TrimSpace(v) != v {
		return fmt.Errorf("the TKR version %q has surrounding blanks", v)
	}
	if _, err := version.Parse(v); err != nil {
		return fmt.Errorf("the TKR version %q is not a version: %w", v, err)
	}
	return nil
}

// marshalYAML writes v as YAML with two-space indentation, in the field order of its type, so
// the files read like the documentation.
func marshalYAML(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// The types below are the subset of kapp-controller's Package and PackageMetadata that a
// repository bundle writes. They exist only to fix the field order of the files.

type objectMeta struct {
	Name   string            `yaml:"name"`
	Labels map[string]string `yaml:"labels,omitempty"`
}

type packageDoc struct {
	APIVersion string      `yaml:"apiVersion"`
	Kind       string      `yaml:"kind"`
	Metadata   objectMeta  `yaml:"metadata"`
	Spec       packageSpec `yaml:"spec"`
}

type packageSpec struct {
	RefName  string          `yaml:"refName"`
	Version  string          `yaml:"version"`
	Template packageTemplate `yaml:"template"`
}

type packageTemplate struct {
	Spec appSpec `yaml:"spec"`
}

type appSpec struct {
	Fetch    []fetch    `yaml:"fetch"`
	Template []template `yaml:"template"`
	Deploy   []deploy   `yaml:"deploy"`
}

type fetch struct {
	ImgpkgBundle imgpkgBundle `yaml:"imgpkgBundle"`
}

type imgpkgBundle struct {
	Image string `yaml:"image"`
}

type template struct {
	Ytt  *paths `yaml:"ytt,omitempty"`
	Kbld *paths `yaml:"kbld,omitempty"`
}

type paths struct {
	Paths []string `yaml:"paths"`
}

type deploy struct {
	Kapp kapp `yaml:"kapp"`
}

type kapp struct {
	IntoNs string `yaml:"intoNs"`
}

type packageMetadataDoc struct {
	APIVersion string              `yaml:"apiVersion"`
	Kind       string              `yaml:"kind"`
	Metadata   objectMeta          `yaml:"metadata"`
	Spec       packageMetadataSpec `yaml:"spec"`
}

type packageMetadataSpec struct {
	DisplayName      string `yaml:"displayName"`
	ShortDescription string `yaml:"shortDescription"`
}
