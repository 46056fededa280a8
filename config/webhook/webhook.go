// Package webhook embeds the admission webhook configurations generated from the
// +kubebuilder:webhook markers (config/webhook/manifests.yaml), so the test harness and the
// playground register exactly what a deployment would.
package webhook

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"slices"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

//go:embed manifests.yaml
var manifests []byte

// Configurations returns the mutating and validating configurations, keeping only the webhooks
// whose names are in names (so a process registers only the webhooks it serves). Configurations
// left with no webhook are dropped.
func Configurations(names []string) ([]*admissionv1.MutatingWebhookConfiguration, []*admissionv1.ValidatingWebhookConfiguration, error) {
	var mutating []*admissionv1.MutatingWebhookConfiguration
	var validating []*admissionv1.ValidatingWebhookConfiguration
	docs := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(manifests)))
	for {
		raw, err := docs.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("reading the embedded webhook manifests: %w", err)
		}
		var doc struct {
			Kind string `json:"kind"`
		}
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			return nil, nil, err
		}
		switch doc.Kind {
		case "MutatingWebhookConfiguration":
			c := &admissionv1.MutatingWebhookConfiguration{}
			if err := yaml.Unmarshal(raw, c); err != nil {
				return nil, nil, err
			}
			c.Webhooks = slices.DeleteFunc(c.Webhooks, func(w admissionv1.MutatingWebhook) bool { return !slices.Contains(names, w.Name) })
			if len(c.Webhooks) > 0 {
				mutating = append(mutating, c)
			}
		case "ValidatingWebhookConfiguration":
			c := &admissionv1.ValidatingWebhookConfiguration{}
			if err := yaml.Unmarshal(raw, c); err != nil {
				return nil, nil, err
			}
			c.Webhooks = slices.DeleteFunc(c.Webhooks, func(w admissionv1.ValidatingWebhook) bool { return !slices.Contains(names, w.Name) })
			if len(c.Webhooks) > 0 {
				validating = append(validating, c)
			}
		}
	}
	return mutating, validating, nil
}
