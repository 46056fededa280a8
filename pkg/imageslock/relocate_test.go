package imageslock

import (
	"maps"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRelocations(t *testing.T) {
	tests := []struct {
		name      string
		bundleRef string
		lock      *Lock
		want      map[string]string
		wantErr   string
	}{
		{
			// I1: an air-gapped registry with a port, bundle by tag.
			name:      "I1 tag ref with port",
			bundleRef: airGapRepoTag + ":" + bundleTag,
			lock:      specLock(),
			want: map[string]string{
				lockImage:  airGapRepoTag + "@" + digestB56a,
				lockKbldID: airGapRepoTag + "@" + digestB56a,
			},
		},
		{
			// I2: bundle by digest.
			name:      "I2 digest ref",
			bundleRef: "10.92.174.209:8443/library/tkr-repository-vsphere-nonparavirt@" + digestOther,
			lock:      specLock(),
			want: map[string]string{
				lockImage:  "10.92.174.209:8443/library/tkr-repository-vsphere-nonparavirt@" + digestB56a,
				lockKbldID: "10.92.174.209:8443/library/tkr-repository-vsphere-nonparavirt@" + digestB56a,
			},
		},
		{
			// I3: the bundle was not relocated, so nothing changes and the lock image stays.
			name:      "I3 same registry",
			bundleRef: "projects-stg.registry.vmware.com/tkg/tkr-repository-vsphere-nonparavirt:" + bundleTag,
			lock:      specLock(),
			want:      map[string]string{},
		},
		{
			name:      "same registry differently cased",
			bundleRef: "Projects-STG.registry.vmware.com/tkg/tkr-repository-vsphere-nonparavirt:" + bundleTag,
			lock:      specLock(),
			want:      map[string]string{},
		},
		{
			// The original cut at the last colon, which is the port here.
			name:      "tagless ref with port",
			bundleRef: "mirror.example.com:5000/tkg/tkr-repository-vsphere-nonparavirt",
			lock:      specLock(),
			want: map[string]string{
				lockImage:  "mirror.example.com:5000/tkg/tkr-repository-vsphere-nonparavirt@" + digestB56a,
				lockKbldID: "mirror.example.com:5000/tkg/tkr-repository-vsphere-nonparavirt@" + digestB56a,
			},
		},
		{
			name:      "tag and digest ref",
			bundleRef: "mirror.example.com:5000/tkg/repo:v1@" + digestOther,
			lock:      specLock(),
			want: map[string]string{
				lockImage:  "mirror.example.com:5000/tkg/repo@" + digestB56a,
				lockKbldID: "mirror.example.com:5000/tkg/repo@" + digestB56a,
			},
		},
		{
			name:      "port only differs",
			bundleRef: "projects-stg.registry.vmware.com:8443/tkg/repo:v1",
			lock:      specLock(),
			want: map[string]string{
				lockImage:  "projects-stg.registry.vmware.com:8443/tkg/repo@" + digestB56a,
				lockKbldID: "projects-stg.registry.vmware.com:8443/tkg/repo@" + digestB56a,
			},
		},
		{
			name:      "entry without kbld id",
			bundleRef: "mirror.example.com/tkg/repo:v1",
			lock:      New(Image{Image: lockImage}),
			want:      map[string]string{lockImage: "mirror.example.com/tkg/repo@" + digestB56a},
		},
		{
			name:      "mixed registries",
			bundleRef: "mirror.example.com/tkg/repo:v1",
			lock: New(
				Image{Image: lockImage, Annotations: map[string]string{AnnotationKbldID: lockKbldID}},
				Image{Image: "mirror.example.com/other@" + digestOther, Annotations: map[string]string{AnnotationKbldID: "mirror.example.com/other:v2"}},
			),
			want: map[string]string{
				lockImage:  "mirror.example.com/tkg/repo@" + digestB56a,
				lockKbldID: "mirror.example.com/tkg/repo@" + digestB56a,
			},
		},
		{
			name:      "empty lock",
			bundleRef: "mirror.example.com/tkg/repo:v1",
			lock:      New(),
			want:      map[string]string{},
		},
		{
			name:      "nil lock",
			bundleRef: "mirror.example.com/tkg/repo:v1",
			want:      map[string]string{},
		},
		{
			// The original panicked.
			name:      "missing digest",
			bundleRef: "mirror.example.com/tkg/repo:v1",
			lock:      New(Image{Image: lockKbldID}),
			wantErr:   `image 1 of .imgpkg/images.yml, "` + lockKbldID + `", has no @sha256 digest, so it cannot be found in the bundle's repository mirror.example.com/tkg/repo`,
		},
		{
			name:      "missing digest on the bundle's registry is fine",
			bundleRef: "projects-stg.registry.vmware.com/tkg/repo:v1",
			lock:      New(Image{Image: lockKbldID}),
			want:      map[string]string{},
		},
		{
			name:      "bad image",
			bundleRef: "mirror.example.com/tkg/repo:v1",
			lock:      New(Image{Image: "Not A Reference"}),
			wantErr:   `image 1 of .imgpkg/images.yml, "Not A Reference", cannot be parsed`,
		},
		{
			name:      "empty image",
			bundleRef: "mirror.example.com/tkg/repo:v1",
			lock:      New(Image{}),
			wantErr:   `image 1 of .imgpkg/images.yml, "", cannot be parsed`,
		},
		{
			name:      "bad bundle ref",
			bundleRef: "https://mirror.example.com/tkg/repo:v1",
			lock:      specLock(),
			wantErr:   `the bundle reference cannot be parsed`,
		},
		{
			name:      "one kbld id, two digests",
			bundleRef: "mirror.example.com/tkg/repo:v1",
			lock: New(
				Image{Image: "a.example.com/x@" + digestB56a, Annotations: map[string]string{AnnotationKbldID: "a.example.com/x:v1"}},
				Image{Image: "a.example.com/x@" + digestOther, Annotations: map[string]string{AnnotationKbldID: "a.example.com/x:v1"}},
			),
			wantErr: ".imgpkg/images.yml lists a.example.com/x:v1 twice",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Relocations(tt.bundleRef, tt.lock)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Relocations error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Relocations (-want +got):\n%s", diff)
			}
		})
	}
}

const packageYAML = `apiVersion: data.packaging.carvel.dev/v1alpha1
kind: Package
metadata:
  name: tkr-vsphere-nonparavirt.tanzu.vmware.com.1.24.9+vmware.1-tkg.1-zshippable
spec:
  refName: tkr-vsphere-nonparavirt.tanzu.vmware.com
  version: 1.24.9+vmware.1-tkg.1-zshippable
  template:
    spec:
      fetch:
      - imgpkgBundle:
          image: %s
`

func TestRelocate(t *testing.T) {
	relocated := airGapRepoTag + "@" + digestB56a
	rel, err := Relocations(airGapRepoTag+":"+bundleTag, specLock())
	if err != nil {
		t.Fatal(err)
	}
	lockBytes, err := specLock().Marshal()
	if err != nil {
		t.Fatal(err)
	}

	t.Run("I6 matching key", func(t *testing.T) {
		files := map[string][]byte{
			"packages/tkr/1.24.9.yml": []byte(strings.Replace(packageYAML, "%s", lockImage, 1)),
			"image2":                  []byte("image2"),
			Path:                      lockBytes,
		}
		input := cloneFiles(files)
		got := Relocate(files, rel)
		if diff := cmp.Diff(input, files); diff != "" {
			t.Errorf("Relocate modified its input (-before +after):\n%s", diff)
		}
		want := map[string][]byte{
			"packages/tkr/1.24.9.yml": []byte(strings.Replace(packageYAML, "%s", relocated, 1)),
			"image2":                  []byte("image2"),
			Path: []byte("apiVersion: imgpkg.carvel.dev/v1alpha1\nimages:\n- annotations:\n" +
				"    kbld.carvel.dev/id: " + relocated + "\n  image: " + relocated + "\nkind: ImagesLock\n"),
		}
		if diff := cmp.Diff(stringFiles(want), stringFiles(got)); diff != "" {
			t.Errorf("Relocate (-want +got):\n%s", diff)
		}
	})

	t.Run("I7 no matching key", func(t *testing.T) {
		files := map[string][]byte{
			"packages/tkr/1.24.9.yml": []byte(strings.Replace(packageYAML, "%s", "elsewhere.example.com/x@"+digestB56a, 1)),
			"image2":                  []byte("image2"),
		}
		got := Relocate(files, rel)
		if diff := cmp.Diff(stringFiles(files), stringFiles(got)); diff != "" {
			t.Errorf("Relocate changed a bundle without matches (-want +got):\n%s", diff)
		}
	})

	t.Run("I3 same registry", func(t *testing.T) {
		same, err := Relocations("projects-stg.registry.vmware.com/tkg/tkr-repository-vsphere-nonparavirt:"+bundleTag, specLock())
		if err != nil {
			t.Fatal(err)
		}
		pkg := []byte(strings.Replace(packageYAML, "%s", lockImage, 1))
		got := Relocate(map[string][]byte{"p.yml": pkg}, same)
		if string(got["p.yml"]) != string(pkg) {
			t.Errorf("Relocate changed a bundle on the lock's registry:\n%s", got["p.yml"])
		}
	})

	t.Run("idempotent", func(t *testing.T) {
		files := map[string][]byte{
			"a.yml": []byte(strings.Replace(packageYAML, "%s", lockImage, 1) + "# " + lockKbldID + "\n"),
		}
		once := Relocate(files, rel)
		twice := Relocate(once, rel)
		if diff := cmp.Diff(stringFiles(once), stringFiles(twice)); diff != "" {
			t.Errorf("relocating twice differs from relocating once (-once +twice):\n%s", diff)
		}
	})

	t.Run("idempotent when the mirror path holds the original", func(t *testing.T) {
		// Mirrors often keep the original registry in the path, so the relocated reference
		// contains the original one.
		bundle := "harbor.local/proxy/projects-stg.registry.vmware.com/tkg/tkr-vsphere-nonparavirt:v1"
		rel, err := Relocations(bundle, specLock())
		if err != nil {
			t.Fatal(err)
		}
		want := "image: harbor.local/proxy/" + lockImage + "\n"
		once := Relocate(map[string][]byte{"f": []byte("image: " + lockImage + "\n")}, rel)
		if string(once["f"]) != want {
			t.Fatalf("Relocate = %q, want %q", once["f"], want)
		}
		twice := Relocate(once, rel)
		if string(twice["f"]) != want {
			t.Errorf("second Relocate = %q, want %q", twice["f"], want)
		}
	})
}

func TestRelocateKeysArePrefixes(t *testing.T) {
	rel := map[string]string{
		"reg.example.com/app:v1":           "mirror/app@sha256:1",
		"reg.example.com/app:v1.2":         "mirror/app@sha256:12",
		"reg.example.com/app:v1.2-hotfix":  "mirror/app@sha256:12h",
		"reg.example.com/app":              "mirror/app@sha256:latest",
		"reg.example.com/app/sub:v1":       "mirror/app@sha256:sub",
		"unrelated.example.com/other:v1.2": "mirror/other@sha256:o",
	}
	in := "a: reg.example.com/app:v1\n" +
		"b: reg.example.com/app:v1.2\n" +
		"c: \"reg.example.com/app:v1.2-hotfix\"\n" +
		"d: reg.example.com/app\n" +
		"e: reg.example.com/app/sub:v1\n" +
		"f: reg.example.com/app:v10\n" + // no key: left alone, not half-replaced
		"g: mirror.example.com/reg.example.com/app:v1\n" + // another reference that contains a key
		"h: [reg.example.com/app:v1,reg.example.com/app:v1.2]\n" +
		"reg.example.com/app:v1"
	want := "a: mirror/app@sha256:1\n" +
		"b: mirror/app@sha256:12\n" +
		"c: \"mirror/app@sha256:12h\"\n" +
		"d: mirror/app@sha256:latest\n" +
		"e: mirror/app@sha256:sub\n" +
		"f: reg.example.com/app:v10\n" +
		"g: mirror.example.com/reg.example.com/app:v1\n" +
		"h: [mirror/app@sha256:1,mirror/app@sha256:12]\n" +
		"mirror/app@sha256:1"
	got := Relocate(map[string][]byte{"f": []byte(in)}, rel)
	if diff := cmp.Diff(want, string(got["f"])); diff != "" {
		t.Errorf("Relocate (-want +got):\n%s", diff)
	}
}

func TestRelocateEdgeCases(t *testing.T) {
	if got := Relocate(nil, map[string]string{"a": "b"}); len(got) != 0 {
		t.Errorf("Relocate(nil) = %v, want empty", got)
	}
	files := map[string][]byte{"a": []byte("x/y:1"), "empty": nil}
	got := Relocate(files, nil)
	if diff := cmp.Diff(stringFiles(files), stringFiles(got)); diff != "" {
		t.Errorf("Relocate without relocations (-want +got):\n%s", diff)
	}
	// An empty key would match everywhere; it is ignored.
	got = Relocate(map[string][]byte{"a": []byte("abc")}, map[string]string{"": "X"})
	if string(got["a"]) != "abc" {
		t.Errorf("Relocate with an empty key = %q, want %q", got["a"], "abc")
	}
}

func cloneFiles(files map[string][]byte) map[string][]byte {
	out := make(map[string][]byte, len(files))
	for k, v := range files {
		out[k] = append([]byte(nil), v...)
	}
	return out
}

func stringFiles(files map[string][]byte) map[string]string {
	out := make(map[string]string, len(files))
	for k, v := range maps.All(files) {
		out[k] = string(v)
	}
	return out
}
