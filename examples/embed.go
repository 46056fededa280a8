// Package examples embeds the example catalogue, so `tkr up` can load it and show it wherever
// the binary runs.
package examples

import "embed"

// FS holds the catalogue: catalog/ (applied by the playground), the ClusterClass and Clusters,
// compatibility metadata and BOMs.
//
//go:embed *.yaml README.md catalog compatibility boms vick
var FS embed.FS
