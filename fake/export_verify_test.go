package fake

// ControlRoutesForTest lists the control plane's routes as "METHOD path",
// for the test that holds them and controlplane.yaml's operations equal.
func ControlRoutesForTest() []string {
	var routes []string
	for _, route := range controlRoutes {
		for method := range route.methods {
			routes = append(routes, method+" "+route.path)
		}
	}
	return routes
}
