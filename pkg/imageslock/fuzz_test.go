package imageslock

import (
	"testing"
)

// FuzzRelocations checks that no bundle reference and no lock file make Relocations or Relocate
// panic (the original panicked on a lock image without a digest), and that relocating is
// idempotent.
func FuzzRelocations(f *testing.F) {
	lock, err := specLock().Marshal()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(airGapRepoTag+":"+bundleTag, lock)
	f.Add("10.92.174.209:8443/library/repo@"+digestOther, lock)
	f.Add("host:5000/repo", lock)
	f.Add("host:5000", []byte("apiVersion: imgpkg.carvel.dev/v1alpha1\nkind: ImagesLock\nimages:\n- image: other/x:v1\n"))
	f.Add("", []byte("%%%%"))
	f.Add("a/b:c", []byte("apiVersion: imgpkg.carvel.dev/v1alpha1\nkind: ImagesLock\nimages:\n- image: \"@\"\n  annotations: {kbld.carvel.dev/id: \"\"}\n"))
	f.Fuzz(func(t *testing.T, bundleRef string, lockBytes []byte) {
		l, err := Parse(lockBytes)
		if err != nil {
			return
		}
		rel, err := Relocations(bundleRef, l)
		if err != nil {
			return
		}
		files := map[string][]byte{Path: lockBytes, "bundleRef": []byte(bundleRef)}
		once := Relocate(files, rel)
		twice := Relocate(once, rel)
		for k := range once {
			if string(once[k]) != string(twice[k]) {
				t.Errorf("relocating %s twice gives %q, once gives %q", k, twice[k], once[k])
			}
		}
	})
}
