/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package vsphere

import "fmt"

// OSInfo is the operating system a query asks for, as the OSImage's labels name it.
type OSInfo struct {
	// Type is always empty: the OVA carries no OS type, and the original left it out too.
	Type    string
	Name    string
	Version string
	Arch    string
}

// Query asks for the template of one OVA: its VERSION and the OS it must carry. Queries are
// comparable and used as map keys, so identical queries of several node pools are asked once.
type Query struct {
	OVAVersion string
	OSInfo     OSInfo
}

// String prints the query as the original did, e.g.
// {OVA version: 'v1.24.9+vmware.1-tkg.1-abc', OSInfo: '{ ubuntu 2004 amd64}'}.
func (q Query) String() string {
	return fmt.Sprintf("{OVA version: '%s', OSInfo: '%v'}", q.OVAVersion, q.OSInfo)
}

// Describe names what the query looks for in the words of the vApp properties a user can
// inspect (govc vm.info -json): VERSION=..., DISTRO_NAME=..., DISTRO_VERSION=..., DISTRO_ARCH=....
func (q Query) Describe() string {
	return fmt.Sprintf("VERSION=%s, DISTRO_NAME=%s, DISTRO_VERSION=%s (dots ignored), DISTRO_ARCH=%s",
		orNone(q.OVAVersion), orNone(q.OSInfo.Name), orNone(q.OSInfo.Version), orNone(q.OSInfo.Arch))
}

func orNone(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

// Result is the template found for a query.
type Result struct {
	// TemplatePath is the template's inventory path, e.g. /dc0/vm/ubuntu-2004-kube-v1.24.9.
	TemplatePath string
	// TemplateMOID is its managed object id, e.g. vm-48.
	TemplateMOID string
	// Others are the paths of further templates that answer the same query, which the choice
	// rule of [Match] passed over; empty in the usual case of one.
	Others []string
}

// String prints the result as the original did.
func (r Result) String() string {
	return fmt.Sprintf("{TemplatePath: '%s', TemplateMOID: '%s'}", r.TemplatePath, r.TemplateMOID)
}
