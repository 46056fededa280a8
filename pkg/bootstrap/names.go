package bootstrap

import "strings"

// ShortName is the text of a package's refName before its first ".": "antrea" for
// "antrea.tanzu.vmware.com" and for "antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1-advanced".
func ShortName(refName string) string {
	short, _, _ := strings.Cut(refName, ".")
	return short
}

// ClonedName is the name of what is cloned for a cluster's package: the provider, the copied
// secretRef Secret and the Secret made from inline values, e.g. "mycl-antrea-package".
func ClonedName(cluster, refName string) string {
	return cluster + "-" + ShortName(refName) + "-package"
}

// DataValuesName is the name of the Secret an add-on config controller renders the data values
// into, and of its copy on the workload cluster, e.g. "mycl-antrea-data-values".
func DataValuesName(cluster, refName string) string {
	return cluster + "-" + ShortName(refName) + "-data-values"
}

// PackageInstallName is the name of a package's PackageInstall, e.g. "mycl-antrea".
func PackageInstallName(cluster, refName string) string {
	return cluster + "-" + ShortName(refName)
}

// LabelValue turns a package refName into a label value: every "+" becomes "---", the result
// is cut to 63 characters and trailing "_", "." and "-" are removed.
func LabelValue(refName string) string {
	v := strings.ReplaceAll(refName, "+", "---")
	if len(v) > 63 {
		v = v[:63]
	}
	return strings.TrimRight(v, "_.-")
}
