package fake

import (
	_ "embed"
	"net/http"
	"strconv"
)

// ControlPlaneOpenAPI is the OpenAPI 3 document of the control plane
// (/__fake/…), which GET /__fake/openapi.yaml serves: generate a client of
// the fake's own endpoints from it. The API's contract is
// pixiebrixfake.OpenAPI.
//
//go:embed controlplane.yaml
var ControlPlaneOpenAPI []byte

func (s *Server) controlOpenAPI(w http.ResponseWriter, _ *http.Request, _ string) error {
	w.Header().Set("Content-Type", "application/yaml")
	w.Header().Set("Content-Length", strconv.Itoa(len(ControlPlaneOpenAPI)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(ControlPlaneOpenAPI)
	return nil
}
