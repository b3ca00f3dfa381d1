package fake

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// FaultHeader is the request header that asks for a one-off fault on the
// request that carries it: the rule's fields, ";"-separated, such as
// "kind=status; status=503" or "kind=delay; delay=200ms".
const FaultHeader = "X-Fake-Fault"

// FaultTokenHeader carries the control plane's token (WithControlToken)
// beside X-Fake-Fault. A one-off fault is a control-plane power on an API
// request — a hang holds a connection for up to MaxFaultDelay — so a server
// whose control plane needs a token honours X-Fake-Fault only with that
// token here (Authorization carries the API's own token), and refuses it
// with a 403 otherwise. A server without a control plane
// (WithoutControlPlane) ignores X-Fake-Fault, as WithoutFaultHeader does.
const FaultTokenHeader = "X-Fake-Admin-Token"

// parseFaultHeader reads an X-Fake-Fault value: kind, status, headers
// ("Name: value, Name: value"), body, delay and probability.
func parseFaultHeader(value string) (FaultRule, error) {
	var r FaultRule
	for _, part := range strings.Split(value, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, val, ok := strings.Cut(part, "=")
		name, val = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(val)
		if !ok {
			return r, fmt.Errorf("%q is not name=value", part)
		}
		var err error
		switch name {
		case "kind":
			r.Kind = FaultKind(val)
		case "status":
			r.Status, err = strconv.Atoi(val)
		case "body":
			r.Body = val
		case "delay":
			r.Delay, err = time.ParseDuration(val)
		case "probability":
			r.Probability, err = strconv.ParseFloat(val, 64)
		case "headers":
			r.Headers = map[string]string{}
			for _, h := range strings.Split(val, ",") {
				k, v, ok := strings.Cut(h, ":")
				if !ok {
					return r, fmt.Errorf("headers: %q is not Name: value", strings.TrimSpace(h))
				}
				r.Headers[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		case "method", "path", "times", "after":
			return r, fmt.Errorf("%s does not apply to a one-off fault", name)
		default:
			return r, fmt.Errorf("unknown field %q (one of kind, status, headers, body, delay, probability)", name)
		}
		if err != nil {
			return r, fmt.Errorf("%s: %q is not valid", name, val)
		}
	}
	return r, nil
}
