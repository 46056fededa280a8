package imageslock

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// Relocations maps every reference the lock lists (each entry's image and its kbld id) to where
// it lives next to the bundle, the way `imgpkg copy` lays out a mirror: every image of the lock
// is copied into the bundle's own repository and keeps its digest. So for an entry whose
// registry differs from bundleRef's registry, both references map to
// <bundleRef's repository>@<entry's digest>. Entries on the bundle's own registry are left out:
// the bundle was not relocated, so the references in its files are already right. So is a
// reference that is itself one of the targets, and a kbld id that is not an image reference.
//
// bundleRef is the reference the bundle was fetched by, a tag or a digest reference, with or
// without a registry port. An entry that must be relocated but whose image has no sha256 digest
// is an error naming the entry, as is an unparsable reference, and two entries that would send
// the same reference to different places. A nil lock has no relocations.
func Relocations(bundleRef string, l *Lock) (map[string]string, error) {
	if l == nil {
		return map[string]string{}, nil
	}
	bundle, err := name.ParseReference(bundleRef)
	if err != nil {
		return nil, fmt.Errorf("relocating the images of bundle %q: the bundle reference cannot be parsed: %w", bundleRef, err)
	}
	bundleRegistry := bundle.Context().RegistryStr()
	bundleRepo := repositoryOf(bundleRef)

	out := map[string]string{}
	targets := map[string]struct{}{}
	add := func(from, to string) error {
		targets[to] = struct{}{}
		if from == to {
			return nil
		}
		if prev, ok := out[from]; ok && prev != to {
			return fmt.Errorf("relocating the images of bundle %s: %s lists %s twice, once for %s and once for %s", bundleRef, Path, from, prev, to)
		}
		out[from] = to
		return nil
	}
	for i, entry := range l.Images {
		ref, err := name.ParseReference(entry.Image)
		if err != nil {
			return nil, fmt.Errorf("relocating the images of bundle %s: image %d of %s, %q, cannot be parsed: %w", bundleRef, i+1, Path, entry.Image, err)
		}
		// Registry names are host names, which are not case-sensitive.
		if strings.EqualFold(ref.Context().RegistryStr(), bundleRegistry) {
			continue
		}
		digest, ok := ref.(name.Digest)
		if !ok {
			return nil, fmt.Errorf("relocating the images of bundle %s: image %d of %s, %q, has no @sha256 digest, so it cannot be found in the bundle's repository %s",
				bundleRef, i+1, Path, entry.Image, bundleRepo)
		}
		target := bundleRepo + "@" + digest.DigestStr()
		if err := add(entry.Image, target); err != nil {
			return nil, err
		}
		// A kbld id that is not a reference cannot be found in a file as one.
		if id := entry.Annotations[AnnotationKbldID]; id != "" {
			if _, err := name.ParseReference(id); err == nil {
				if err := add(id, target); err != nil {
					return nil, err
				}
			}
		}
	}
	// A reference that is already where some entry is relocated to must stay: replacing it
	// would move an image that is in place, and relocating twice would differ from once.
	for from := range out {
		if _, isTarget := targets[from]; isTarget {
			delete(out, from)
		}
	}
	return out, nil
}

// repositoryOf returns ref without its digest and tag, spelled as in ref (name's own rendering
// would turn docker.io into index.docker.io). ref must already have parsed as a reference.
func repositoryOf(ref string) string {
	repo, _, _ := strings.Cut(ref, "@")
	// A colon after the last slash starts a tag; one before it is a registry port.
	if colon := strings.LastIndexByte(repo, ':'); colon > strings.LastIndexByte(repo, '/') {
		repo = repo[:colon]
	}
	return repo
}

// Relocate returns files with every occurrence of each key of relocations replaced by its value,
// working on bytes, so it does not matter what format a file has. The input is not modified;
// files without a match share their bytes with the input.
//
// A key matches only as a whole reference: not when it is preceded or followed by a character
// that could continue a reference. So reg/app:v1 is not replaced inside reg/app:v1.2 or
// mirror/reg/app:v1, and relocating twice gives the same result as relocating once. Where keys
// overlap the longest match wins, so a tag reference that is a prefix of another key is never
// half-replaced.
func Relocate(files map[string][]byte, relocations map[string]string) map[string][]byte {
	keys := make([]string, 0, len(relocations))
	for k := range relocations {
		if k != "" {
			keys = append(keys, k)
		}
	}
	out := make(map[string][]byte, len(files))
	for path, data := range files {
		out[path] = relocateBytes(data, keys, relocations)
	}
	return out
}

type match struct {
	start int
	key   string
}

func relocateBytes(data []byte, keys []string, relocations map[string]string) []byte {
	var matches []match
	for _, key := range keys {
		k := []byte(key)
		for off := 0; off < len(data); {
			i := bytes.Index(data[off:], k)
			if i < 0 {
				break
			}
			start := off + i
			end := start + len(k)
			if (start == 0 || !isRefByte(data[start-1])) && (end == len(data) || !isRefByte(data[end])) {
				matches = append(matches, match{start, key})
			}
			off = start + 1
		}
	}
	if len(matches) == 0 {
		return data
	}
	// Leftmost first; at one position the longest key first.
	slices.SortFunc(matches, func(a, b match) int {
		return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(len(b.key), len(a.key)))
	})
	var buf bytes.Buffer
	buf.Grow(len(data))
	pos := 0
	for _, m := range matches {
		if m.start < pos {
			continue // overlaps a replacement already made
		}
		buf.Write(data[pos:m.start])
		buf.WriteString(relocations[m.key])
		pos = m.start + len(m.key)
	}
	buf.Write(data[pos:])
	return buf.Bytes()
}

// isRefByte reports whether c can be part of an image reference.
func isRefByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("._-/:@", c) >= 0
}
