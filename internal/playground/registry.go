package playground

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
)

// localRegistry is an in-memory OCI registry on a loopback port: the playground publishes the
// example catalogue to it and the source controller pulls from it, as it would from a real one.
type localRegistry struct {
	// Host is host:port of the registry.
	Host   string
	server *http.Server
	done   chan error
}

// startRegistry serves an empty registry on 127.0.0.1 over plain HTTP (loopback needs no TLS).
func startRegistry() (*localRegistry, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("starting the playground's registry: %w", err)
	}
	r := &localRegistry{
		Host: l.Addr().String(),
		server: &http.Server{
			Handler:           ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))),
			ReadHeaderTimeout: 10 * time.Second,
		},
		done: make(chan error, 1),
	}
	go func() { r.done <- r.server.Serve(l) }()
	return r, nil
}

// Stop shuts the registry down, waiting for requests in flight.
func (r *localRegistry) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.server.Shutdown(ctx); err != nil {
		return err
	}
	if err := <-r.done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
