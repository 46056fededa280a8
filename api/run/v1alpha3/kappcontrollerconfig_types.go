/*
Copyright 2026 The tkr Authors.

SPDX-License-Identifier: Apache-2.0
*/

package v1alpha3

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// KappControllerConfigSpec configures the kapp-controller package of a cluster.
type KappControllerConfigSpec struct {
	// Namespace is where kapp-controller is installed.
	// +optional
	// +kubebuilder:default:=tkg-system
	Namespace string `json:"namespace,omitempty"`

	// KappController configures kapp-controller itself.
	// +optional
	// +kubebuilder:default:={deployment:{hostNetwork:true}}
	KappController KappController `json:"kappController,omitempty"`
}

// KappController configures kapp-controller.
type KappController struct {
	// CreateNamespace makes the package create Namespace.
	// +optional
	// +kubebuilder:default:=false
	CreateNamespace bool `json:"createNamespace,omitempty"`

	// GlobalNamespace is the namespace whose package repositories and
	// packages are visible in every namespace.
	// +optional
	// +kubebuilder:default:=tkg-system
	GlobalNamespace string `json:"globalNamespace,omitempty"`

	// Deployment configures the kapp-controller Deployment.
	// +optional
	// +kubebuilder:default:={hostNetwork:true}
	Deployment KappDeployment `json:"deployment,omitempty"`

	// Config is kapp-controller's own configuration.
	// +optional
	Config KappConfig `json:"config,omitempty"`
}

// KappDeployment configures the kapp-controller Deployment.
type KappDeployment struct {
	// HostNetwork runs kapp-controller in the host network, which it needs
	// before a CNI is installed.
	// +optional
	// +kubebuilder:default:=true
	HostNetwork bool `json:"hostNetwork,omitempty"`

	// PriorityClassName is the priority class of the kapp-controller Pods.
	// +optional
	// +kubebuilder:default:=system-cluster-critical
	PriorityClassName string `json:"priorityClassName,omitempty"`

	// Concurrency is how many reconciliations kapp-controller runs at once.
	// +optional
	// +kubebuilder:default:=4
	Concurrency int `json:"concurrency,omitempty"`

	// Tolerations of the kapp-controller Pods, each a map of toleration
	// fields. The defaults let it run on control plane nodes that are not
	// yet ready or initialised.
	// +optional
	// +kubebuilder:default:={{key:CriticalAddonsOnly,operator:Exists},{effect:NoSchedule,key:"node-role.kubernetes.io/control-plane"},{effect:NoSchedule,key:"node-role.kubernetes.io/master"},{effect:NoSchedule,key:"node.kubernetes.io/not-ready"},{effect:NoSchedule,key:"node.cloudprovider.kubernetes.io/uninitialized",value:"true"}}
	Tolerations []map[string]string `json:"tolerations,omitempty"`

	// APIPort is the port of kapp-controller's API server.
	// +optional
	// +kubebuilder:default:=10100
	APIPort int `json:"apiPort,omitempty"`

	// MetricsBindAddress is the address of the metrics endpoint; "0" turns it off.
	// +optional
	// +kubebuilder:default:="0"
	MetricsBindAddress string `json:"metricsBindAddress,omitempty"`
}

// KappConfig is kapp-controller's own configuration.
type KappConfig struct {
	// CACerts are extra PEM CA certificates to trust.
	// +optional
	CACerts string `json:"caCerts,omitempty"`

	// HTTPProxy is the HTTP proxy to use.
	// +optional
	HTTPProxy string `json:"httpProxy,omitempty"`

	// HTTPSProxy is the HTTPS proxy to use.
	// +optional
	HTTPSProxy string `json:"httpsProxy,omitempty"`

	// NoProxy lists the hosts to reach without a proxy.
	// +optional
	NoProxy string `json:"noProxy,omitempty"`

	// DangerousSkipTLSVerify lists the hosts whose TLS certificates are not verified.
	// +optional
	DangerousSkipTLSVerify string `json:"dangerousSkipTLSVerify,omitempty"`
}

// KappControllerConfigStatus is the observed state of a KappControllerConfig.
type KappControllerConfigStatus struct {
	// SecretRef is the name of the data-values Secret generated for the package.
	// +optional
	SecretRef string `json:"secretRef,omitempty"`
}

// KappControllerConfig is the kapp-controller configuration of one cluster.
// Its controller renders it into the data-values Secret of the package.
//
// The SecretRef column deliberately differs from the original, whose
// SecretName column pointed at a .status.secretName field that does not exist
// and so was always empty.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:storageversion
// +kubebuilder:resource:path=kappcontrollerconfigs,shortName=kappconf,scope=Namespaced
// +kubebuilder:printcolumn:name="Namespace",type="string",JSONPath=".spec.namespace",description="The namespace kapp-controller is installed in"
// +kubebuilder:printcolumn:name="GlobalNamespace",type="string",JSONPath=".spec.kappController.globalNamespace",description="The global packaging namespace of kapp-controller"
// +kubebuilder:printcolumn:name="SecretRef",type="string",JSONPath=".status.secretRef",description="Name of the kapp-controller data-values Secret"
type KappControllerConfig struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata.
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired configuration.
	// +required
	Spec KappControllerConfigSpec `json:"spec"`
	// Status is what the controller last produced.
	// +optional
	Status KappControllerConfigStatus `json:"status,omitzero"`
}

// KappControllerConfigList is a list of KappControllerConfig.
//
// +kubebuilder:object:root=true
type KappControllerConfigList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items are the KappControllerConfigs.
	Items []KappControllerConfig `json:"items"`
}

func init() {
	objectTypes = append(objectTypes, &KappControllerConfig{}, &KappControllerConfigList{})
}
