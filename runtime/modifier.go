package runtime

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// SpecModifier rewrites a spec. Implementations are pure: everything they
// depend on comes through their constructor.
type SpecModifier interface {
	Name() string
	Modify(*specs.Spec) error
}

// Chain applies modifiers in order, stopping at the first error.
type Chain []SpecModifier

// Modify runs the chain.
func (c Chain) Modify(spec *specs.Spec) error {
	for _, m := range c {
		if err := m.Modify(spec); err != nil {
			return fmt.Errorf("%s: %w", m.Name(), err)
		}
	}
	return nil
}
