package addons_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clusterv1beta1 "sigs.k8s.io/cluster-api/api/core/v1beta1"
	clusterv1 "sigs.k8s.io/cluster-api/api/core/v1beta2"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tkr-project/tkr/test/envtest"
)

var env *envtest.Environment

func TestMain(m *testing.M) {
	envtest.Main(m, &env, envtest.Options{Components: []string{"conversion-webhook", "addons"}})
}

// deadline bounds every wait for eventual state; it is generous because `make test` runs many
// API servers on a small machine at once.
const deadline = 60 * time.Second

var nsCounter atomic.Int32

// namespace creates a namespace of the test's own, so tests never see each other's objects.
func namespace(t *testing.T) string {
	t.Helper()
	name := fmt.Sprintf("addons-%d-%d", time.Now().UnixNano()%100000, nsCounter.Add(1))
	create(t, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})
	return name
}

func create(t *testing.T, obj client.Object) {
	t.Helper()
	if err := env.Client.Create(context.Background(), obj); err != nil {
		t.Fatalf("creating %T %s: %v", obj, obj.GetName(), err)
	}
}

// cluster creates a Cluster named name in ns, in Cluster API v1beta1 or v1beta2, on vSphere with
// dual-stack services and one pod block, and returns an owner reference to it.
func cluster(t *testing.T, ns, name string, v1beta1 bool) metav1.OwnerReference {
	t.Helper()
	if v1beta1 {
		c := &clusterv1beta1.Cluster{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Spec: clusterv1beta1.ClusterSpec{
				ClusterNetwork: &clusterv1beta1.ClusterNetwork{
					Services: &clusterv1beta1.NetworkRanges{CIDRBlocks: []string{"100.64.0.0/13", "fd00:100:64::/108"}},
					Pods:     &clusterv1beta1.NetworkRanges{CIDRBlocks: []string{"100.96.0.0/11"}},
				},
				InfrastructureRef: &corev1.ObjectReference{APIVersion: "infrastructure.cluster.x-k8s.io/v1beta1", Kind: "VSphereCluster", Name: name},
			},
		}
		create(t, c)
		return metav1.OwnerReference{APIVersion: clusterv1beta1.GroupVersion.String(), Kind: "Cluster", Name: name, UID: c.UID}
	}
	c := &clusterv1.Cluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: clusterv1.ClusterSpec{
			ClusterNetwork: clusterv1.ClusterNetwork{
				Services: clusterv1.NetworkRanges{CIDRBlocks: []string{"100.64.0.0/13", "fd00:100:64::/108"}},
				Pods:     clusterv1.NetworkRanges{CIDRBlocks: []string{"100.96.0.0/11"}},
			},
			InfrastructureRef: clusterv1.ContractVersionedObjectReference{APIGroup: "infrastructure.cluster.x-k8s.io", Kind: "VSphereCluster", Name: name},
		},
	}
	create(t, c)
	return metav1.OwnerReference{APIVersion: clusterv1.GroupVersion.String(), Kind: "Cluster", Name: name, UID: c.UID}
}

// eventually polls cond until it returns "" (done) or the deadline passes, then fails with
// cond's last explanation.
func eventually(t *testing.T, what string, cond func() string) {
	t.Helper()
	var last string
	for end := time.Now().Add(deadline); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if last = cond(); last == "" {
			return
		}
	}
	t.Fatalf("%s: not within %s: %s", what, deadline, last)
}

// dataValues waits for the Secret ns/name to hold values.yaml and returns it.
func dataValues(t *testing.T, ns, name string, accept func(values string) bool) *corev1.Secret {
	t.Helper()
	s := &corev1.Secret{}
	eventually(t, "data-values Secret "+ns+"/"+name, func() string {
		if err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, s); err != nil {
			return err.Error()
		}
		if v, ok := s.Data["values.yaml"]; !ok || (accept != nil && !accept(string(v))) {
			return fmt.Sprintf("values.yaml is %q", s.Data["values.yaml"])
		}
		return ""
	})
	return s
}

// event waits for a Warning Event with reason about the object ns/name and returns its note.
func event(t *testing.T, ns, name, reason string) string {
	t.Helper()
	var note string
	eventually(t, "Event "+reason+" on "+ns+"/"+name, func() string {
		list := &eventsv1.EventList{}
		if err := env.Client.List(context.Background(), list, client.InNamespace(ns)); err != nil {
			return err.Error()
		}
		var seen []string
		for _, e := range list.Items {
			if e.Regarding.Name == name && e.Reason == reason && e.Type == corev1.EventTypeWarning {
				note = e.Note
				return ""
			}
			seen = append(seen, e.Reason+" "+e.Regarding.Name)
		}
		return "events: " + strings.Join(seen, ", ")
	})
	return note
}

// get reads obj again (by its key) and fails the test on error.
func get(t *testing.T, obj client.Object) {
	t.Helper()
	if err := env.Client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj); err != nil {
		t.Fatal(err)
	}
}

func ensureNamespace(t *testing.T, name string) {
	t.Helper()
	err := env.Client.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
}
