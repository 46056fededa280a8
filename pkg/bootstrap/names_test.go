package bootstrap

import "testing"

func TestNames(t *testing.T) {
	const ref = "antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1-advanced"
	for _, c := range []struct{ got, want string }{
		{ShortName("antrea.tanzu.vmware.com"), "antrea"},
		{ShortName("kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1"), "kapp-controller"},
		{ShortName("noperiod"), "noperiod"},
		{ClonedName("tkg-vick", ref), "tkg-vick-antrea-package"},
		{DataValuesName("tkg-vick", ref), "tkg-vick-antrea-data-values"},
		{PackageInstallName("mycl", "kapp-controller.tanzu.vmware.com"), "mycl-kapp-controller"},
		{LabelValue(ref), "antrea.tanzu.vmware.com.1.7.2---vmware.1-tkg.1-advanced"},
		{LabelValue("a.b.c.0.0.0+vmware.1-tkg.1-a-very-long-suffix-that-overflows-the-limit"), "a.b.c.0.0.0---vmware.1-tkg.1-a-very-long-suffix-that-overflows"},
		// The cut ends on "-": it is trimmed.
		{LabelValue("x.y.1.0.0+vmware.1-tkg.1-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-z.z"), "x.y.1.0.0---vmware.1-tkg.1-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
