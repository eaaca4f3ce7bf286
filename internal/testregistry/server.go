package testregistry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Server is an in-memory registry on 127.0.0.1.
type Server struct {
	// Addr is 127.0.0.1:PORT.
	Addr string
	srv  *http.Server
	done chan error
}

// Start serves an empty in-memory registry on 127.0.0.1:port (0 picks a
// free port). Only the loopback address is ever bound.
func Start(port int) (*Server, error) {
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return nil, fmt.Errorf("listen on 127.0.0.1: %w", err)
	}
	s := &Server{
		Addr: ln.Addr().String(),
		srv:  &http.Server{Handler: registry.New(registry.Logger(log.New(io.Discard, "", 0)))},
		done: make(chan error, 1),
	}
	go func() { s.done <- s.srv.Serve(ln) }()
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error {
	err := s.srv.Shutdown(context.Background())
	if serr := <-s.done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// Local rewrites ref (e.g. registry.k8s.io/pause:3.9) to the same
// repository and tag in this registry (127.0.0.1:PORT/pause:3.9): what a
// registry mirror of ref's registry asks this server for.
func (s *Server) Local(ref string) (name.Reference, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", ref, err)
	}
	repo := r.Context().RepositoryStr()
	local := s.Addr + "/" + repo
	if t, ok := r.(name.Tag); ok {
		local += ":" + t.TagStr()
	} else {
		local += "@" + r.Identifier()
	}
	return name.ParseReference(local, name.Insecure)
}

// Push pushes every image under all its references.
func (s *Server) Push(images []Image) error {
	for _, img := range images {
		for _, ref := range img.Refs {
			local, err := s.Local(ref)
			if err != nil {
				return err
			}
			if !strings.HasPrefix(local.Context().RegistryStr(), "127.0.0.1:") {
				return fmt.Errorf("refusing to push %s to a non-loopback registry", local)
			}
			if err := remote.Write(local, img.Image); err != nil {
				return fmt.Errorf("push %s as %s: %w", ref, local, err)
			}
		}
	}
	return nil
}
