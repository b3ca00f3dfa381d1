package check

import (
	"context"
	"fmt"
)

func (ch *checker) writes(ctx context.Context, team string) error {
	return fmt.Errorf("--writes is not implemented yet")
}
