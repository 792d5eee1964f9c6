package stubs

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Each subtest writes a little stub script and runs it straight away, many
// times over, while its sibling subtests do the same in parallel.
func TestStubs(t *testing.T) {
	dir := t.TempDir()
	for w := 0; w < 8; w++ {
		w := w
		t.Run(fmt.Sprintf("worker-%d", w), func(t *testing.T) {
			t.Parallel()
			for i := 0; i < 25; i++ {
				p := filepath.Join(dir, fmt.Sprintf("stub-%d-%d", w, i))
				if err := os.WriteFile(p, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := exec.Command(p).Run(); err != nil {
					t.Fatalf("run %s: %v", p, err)
				}
			}
		})
	}
}
