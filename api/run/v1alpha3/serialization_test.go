/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha3

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// The objects below are those of a published "bring your own TKR" walk-through;
// they must decode without unknown fields.

const byoTKR = `
kind: TanzuKubernetesRelease
apiVersion: run.tanzu.vmware.com/v1alpha3
metadata:
  name: v1.24.9---vmware.1-gpu-efi
  labels:
    tkr.tanzu.vmware.com/gpu-efi: ""
spec:
  version: v1.24.9+vmware.1-gpu-efi
  kubernetes:
    version: v1.24.9+vmware.1
    imageRepository: localhost:5000/vmware.io
    etcd:
      imageTag: v3.5.6_vmware.3
    pause:
      imageTag: "3.7"
    coredns:
      imageTag: v1.8.6_vmware.15
  osImages:
  - name: v1.24.9---vmware.1-gpu-efi
status:
  conditions:
  - lastTransitionTime: "2023-02-23T01:24:01Z"
    status: "True"
    type: Ready
  - lastTransitionTime: "2023-02-23T01:24:01Z"
    status: "True"
    type: Compatible
`

const byoOSImage = `
kind: OSImage
apiVersion: run.tanzu.vmware.com/v1alpha3
metadata:
  name: v1.24.9---vmware.1-gpu-efi
  labels:
    tkr.tanzu.vmware.com/gpu-efi: ""
spec:
  kubernetesVersion: v1.24.9+vmware.1
  os:
    type: linux
    name: ubuntu
    version: "2004"
    arch: amd64
  image:
    type: ova
    ref:
      version: v1.24.9+vmware.1-gpu-efi
`

const byoCBT = `
kind: ClusterBootstrapTemplate
apiVersion: run.tanzu.vmware.com/v1alpha3
metadata:
  name: v1.24.9---vmware.1-gpu-efi
  namespace: tkg-system
spec:
  additionalPackages:
  - refName: metrics-server.tanzu.vmware.com.0.6.2+vmware.1-tkg.1
  - refName: tkg-storageclass.tanzu.vmware.com.0.28.0+vmware.1
    valuesFrom:
      inline:
        infraProvider: vsphere
  - refName: pinniped.tanzu.vmware.com.0.12.1+vmware.2-tkg.3
    valuesFrom:
      secretRef: default-pinniped-config-v1.24.9---vmware.1-tkg.1
  cni:
    refName: antrea.tanzu.vmware.com.1.7.2+vmware.1-tkg.1-advanced
    valuesFrom:
      providerRef:
        apiGroup: cni.tanzu.vmware.com
        kind: AntreaConfig
        name: v1.24.9---vmware.1-tkg.1
  kapp:
    refName: kapp-controller.tanzu.vmware.com.0.41.5+vmware.1-tkg.1
    valuesFrom:
      providerRef:
        apiGroup: run.tanzu.vmware.com
        kind: KappControllerConfig
        name: v1.24.9---vmware.1-tkg.1
  paused: false
`

func TestDecodeSeedObjects(t *testing.T) {
	var tkr TanzuKubernetesRelease
	decodeStrict(t, byoTKR, &tkr)
	if got := tkr.Spec.Kubernetes.Pause; got == nil || got.ImageTag != "3.7" {
		t.Errorf("pause image %v, want tag 3.7", got)
	}
	if tkr.Spec.Kubernetes.KubeVIP != nil {
		t.Errorf("kube-vip %v, want nil", tkr.Spec.Kubernetes.KubeVIP)
	}
	if len(tkr.Status.Conditions) != 2 || tkr.GetConditions()[0].Type != ConditionReady {
		t.Errorf("conditions %v, want Ready and Compatible", tkr.Status.Conditions)
	}

	var image OSImage
	decodeStrict(t, byoOSImage, &image)
	if diff := cmp.Diff(map[string]interface{}{"version": "v1.24.9+vmware.1-gpu-efi"}, image.Spec.Image.Ref); diff != "" {
		t.Errorf("image ref (-want +got):\n%s", diff)
	}

	var cbt ClusterBootstrapTemplate
	decodeStrict(t, byoCBT, &cbt)
	if got := cbt.Spec.AdditionalPackages[1].ValuesFrom.Inline["infraProvider"]; got != "vsphere" {
		t.Errorf("inline infraProvider %v, want vsphere", got)
	}
	if got := cbt.Spec.CNI.ValuesFrom.ProviderRef; got == nil || *got.APIGroup != "cni.tanzu.vmware.com" {
		t.Errorf("cni providerRef %v", got)
	}
}

// Unset core images are written as null, not left out.
func TestUnsetImagesAreNull(t *testing.T) {
	data, err := json.Marshal(KubernetesSpec{Version: "v1.24.9+vmware.1"})
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"version":"v1.24.9+vmware.1","etcd":null,"pause":null,"coredns":null,"kube-vip":null}`
	if string(data) != want {
		t.Errorf("got %s, want %s", data, want)
	}
}

func TestSchemeHasEveryKind(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"TanzuKubernetesRelease", "TanzuKubernetesReleaseList", "OSImage", "OSImageList",
		"ClusterBootstrap", "ClusterBootstrapList", "ClusterBootstrapTemplate", "ClusterBootstrapTemplateList",
		"KappControllerConfig", "KappControllerConfigList",
	} {
		if _, ok := scheme.KnownTypes(GroupVersion)[want]; !ok {
			t.Errorf("kind %s is not registered", want)
		}
	}
}

func decodeStrict(t *testing.T, doc string, into interface{}) {
	t.Helper()
	if err := yaml.UnmarshalStrict([]byte(doc), into); err != nil {
		t.Fatalf("decoding %T: %v", into, err)
	}
}
