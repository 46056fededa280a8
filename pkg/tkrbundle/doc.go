// Package tkrbundle reads and writes the images of the TKR registry layout
// (docs/registry-layout.md): repository bundles, whose kapp Packages point at package bundles,
// and package bundles, which hold the objects of one release. `tkr publish` writes them and the
// source controller reads them, so both directions live here and are tested against each other.
//
// The package is pure: it turns files into images and files into objects, and never talks to a
// registry or an API server. Files are maps from a slash-separated path inside the image to its
// content, the form a registry client returns them in.
package tkrbundle
