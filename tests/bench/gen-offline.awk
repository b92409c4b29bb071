# SPDX-License-Identifier: GPL-3.0-or-later
# tests/bench/gen-offline.awk - the offline judging bench's inputs.
#   awk -v what=table -v n=10000 -f gen-offline.awk > table.yaml
#   awk -v what=policy -v n=100 -f gen-offline.awk > policy.yaml
# table: a saved port-mapping table (format of common/table.h, version 1) of
# n mappings, TCP and UDP alternately on external ports 10000.., internal
# clients 10.1.X.Y, leases 3600.. (none permanent), every 100th one
# described "camera ..." so that a rule of the policy matches it.
# policy: a policy (schema of policies/default.yaml) with n user rules after
# the built-in ones, of five kinds in turn (UDP port ranges, client
# prefixes, description regexes, internal ports with a lease bound, remote
# host prefixes) that never match, then one that matches the "camera"
# mappings: every mapping is tried against every rule, the slow path of a
# first-match judge.
BEGIN {
	if (what == "table") {
		print "# check_igd saved port-mapping table"
		print "version: 1"
		print "location: \"http://10.1.0.1:5000/rootDesc.xml\""
		print "udn: \"uuid:00000000-0000-0000-0000-000000000001\""
		print "external_address: \"11.22.33.44\""
		print "complete: true"
		if (n == 0) { print "mappings: []"; exit }
		print "mappings:"
		for (i = 0; i < n; i++) {
			printf "  - protocol: %s\n", (i % 2) ? "UDP" : "TCP"
			printf "    external_port: %d\n", 10000 + i
			printf "    internal_client: \"10.1.%d.%d\"\n", int(i / 250), i % 250 + 2
			printf "    internal_port: %d\n", 30000 + i % 5000
			print "    remote_host: \"\""
			if (i % 100 == 0)
				printf "    description: \"camera %d\"\n", i
			else
				printf "    description: \"app-%d | \\\"quoted\\\" text\"\n", i
			printf "    lease: %d\n", 3600 + i
			print "    enabled: true"
			print "    service: 1"
		}
		exit
	}
	if (what == "policy") {
		print "# check_igd offline bench policy: " n " rules"
		print "version: 1"
		print "portmap:"
		print "  lan: [10.0.0.0/8, 192.168.0.0/16]"
		print "  default: ok"
		print "  changes: { new: warning, gone: ok }"
		print "  rules:"
		for (i = 0; i < n; i++) {
			k = i % 5
			printf "    - name: bench-rule-%03d\n", i
			if (i == n - 1) {
				# the last rule: the one that matches (1 in 100)
				print "      state: warning"
				print "      description: \"^camera [0-9]+$\""
			} else if (k == 0) {
				print "      state: warning"
				print "      protocol: UDP"
				printf "      external_port: [\"%d-%d\", %d]\n", 40000 + i * 10, 40000 + i * 10 + 9, 50000 + i
			} else if (k == 1) {
				print "      state: critical"
				printf "      internal_client: [192.168.%d.0/24, 172.20.%d.0/24]\n", i, i
			} else if (k == 2) {
				print "      state: warning"
				printf "      description: \"^(game|torrent)-%d[a-z]*$\"\n", i
			} else if (k == 3) {
				print "      state: warning"
				printf "      internal_port: [%d, \"%d-%d\"]\n", 1000 + i, 2000 + i * 5, 2000 + i * 5 + 4
				print "      max_lease: 86400"
			} else {
				print "      state: critical"
				printf "      remote_host: 198.51.100.%d/32\n", i
			}
		}
		exit
	}
	print "gen-offline.awk: what=table or what=policy" > "/dev/stderr"
	exit 2
}
