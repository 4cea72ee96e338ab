package collector

import (
	"fmt"
	"sort"
	"strings"
)

// services lists every service the collector knows, one line each. To add
// one, write svc_<name>.go with a function returning a Service and add it
// here (see docs/collector.md).
func services() []Service {
	return []Service{
		iamService(),
		s3Service(),
		kmsService(),
		sqsService(),
		snsService(),
		lambdaService(),
		secretsManagerService(),
		dynamoDBService(),
		ecrService(),
		ec2Service(),
		ecsService(),
		apiGatewayService(),
	}
}

// ServiceNames returns the names --services accepts.
func ServiceNames() []string {
	var names []string
	for _, s := range services() {
		names = append(names, s.Name)
	}
	sort.Strings(names)
	return names
}

func selectServices(names []string) ([]Service, error) {
	all := services()
	if len(names) == 0 {
		return all, nil
	}
	byName := map[string]Service{}
	for _, s := range all {
		byName[s.Name] = s
	}
	var out []Service
	seen := map[string]bool{}
	for _, n := range names {
		n = strings.ToLower(strings.TrimSpace(n))
		s, ok := byName[n]
		if !ok {
			return nil, fmt.Errorf("unknown service %q in --services; known: %s", n, strings.Join(ServiceNames(), ", "))
		}
		if !seen[n] {
			out = append(out, s)
			seen[n] = true
		}
	}
	return out, nil
}
