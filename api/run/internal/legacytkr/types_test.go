/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package legacytkr

import "testing"

func TestContainerImageString(t *testing.T) {
	tests := []struct {
		image ContainerImage
		want  string
	}{
		{ContainerImage{Repository: "repo", Name: "nginx", Tag: "1.2.3"}, "repo/nginx:1.2.3"},
		{ContainerImage{Repository: "repo", Name: "nginx"}, "repo/nginx"},
		{ContainerImage{Name: "nginx", Tag: "1.2.3"}, "nginx:1.2.3"},
		{ContainerImage{Name: "nginx"}, "nginx"},
	}
	for _, tt := range tests {
		if got := tt.image.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.image, got, tt.want)
		}
	}
}
