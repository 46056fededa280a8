package status_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	runv1alpha3 "github.com/tkr-project/tkr/api/run/v1alpha3"
	"github.com/tkr-project/tkr/internal/apply"
	"github.com/tkr-project/tkr/pkg/tkrlabels"
)

// tkrNamespace is the TKR namespace the tests configure, the example catalogue's.
const tkrNamespace = "tkg-system"

const catalogDir = "../../../examples/catalog"

// applyCatalog server-side-applies the example catalogue through c and deletes it again, all but
// the namespace, when the test ends, so tests that create objects of the same names can follow.
func applyCatalog(t *testing.T, c client.Client) {
	t.Helper()
	objs, err := apply.Files(context.Background(), c, "status-test", catalogDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, o := range objs {
			if o.GetKind() == "Namespace" {
				continue
			}
			if err := c.Delete(context.Background(), o.Unstructured.DeepCopy()); err != nil && !apierrors.IsNotFound(err) {
				t.Errorf("deleting %s %s: %v", o.GetKind(), o.GetName(), err)
			}
		}
	})
}

// create creates obj through env.Client and deletes it when the test ends.
func create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := env.Client.Create(context.Background(), obj); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := env.Client.Delete(context.Background(), obj); err != nil && !apierrors.IsNotFound(err) {
			t.Errorf("deleting %s: %v", obj.GetName(), err)
		}
	})
}

// withConditions is a TKR or an OSImage.
type withConditions interface {
	client.Object
	GetConditions() runv1alpha3.Conditions
}

// state sums up what the conditions controllers keep on an object in one comparable line, e.g.
// "Compatible=False(NotListed) Valid=True Ready=False(Incompatible) +incompatible": each
// condition's status and reason, then the exclusion labels present.
func state(o withConditions) string {
	var parts []string
	for _, t := range []string{runv1alpha3.ConditionCompatible, runv1alpha3.ConditionValid, runv1alpha3.ConditionReady} {
		c := tkrlabels.Condition(o.GetConditions(), t)
		switch {
		case c == nil:
			parts = append(parts, t+"=none")
		case c.Reason == "":
			parts = append(parts, fmt.Sprintf("%s=%s", t, c.Status))
		default:
			parts = append(parts, fmt.Sprintf("%s=%s(%s)", t, c.Status, c.Reason))
		}
	}
	for _, l := range []string{runv1alpha3.LabelIncompatible, runv1alpha3.LabelDeactivated, runv1alpha3.LabelInvalid} {
		if _, ok := o.GetLabels()[l]; ok {
			parts = append(parts, "+"+l)
		}
	}
	return strings.Join(parts, " ")
}

// waitState waits until the object named like obj, read into obj, is in state want.
func waitState(t *testing.T, obj withConditions, want string) {
	t.Helper()
	waitStateIn(t, env.Client, obj, want)
}

// waitStateIn is waitState reading through c.
func waitStateIn(t *testing.T, c client.Reader, obj withConditions, want string) {
	t.Helper()
	eventually(t, func() string {
		if err := c.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
			return err.Error()
		}
		if got := state(obj); got != want {
			return fmt.Sprintf("%s is %q, want %q", obj.GetName(), got, want)
		}
		return ""
	})
}

// tkr is an empty TKR named name, for waitState.
func tkr(name string) *runv1alpha3.TanzuKubernetesRelease {
	r := &runv1alpha3.TanzuKubernetesRelease{}
	r.Name = name
	return r
}

// osImage is an empty OSImage named name, for waitState.
func osImage(name string) *runv1alpha3.OSImage {
	i := &runv1alpha3.OSImage{}
	i.Name = name
	return i
}

// message returns the message of condition t of obj.
func message(obj withConditions, t string) string {
	if c := tkrlabels.Condition(obj.GetConditions(), t); c != nil {
		return c.Message
	}
	return ""
}

// wantMessage fails the test unless condition t of obj has a message containing every fragment.
func wantMessage(t *testing.T, obj withConditions, cond string, fragments ...string) {
	t.Helper()
	got := message(obj, cond)
	for _, f := range fragments {
		if !strings.Contains(got, f) {
			t.Errorf("%s %s message %q lacks %q", obj.GetName(), cond, got, f)
		}
	}
}
