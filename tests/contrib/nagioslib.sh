# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
# tests/contrib/nagioslib.sh: a self-contained Nagios 4 in a temp folder, for
# the contrib and engine tests (bash; source it).  As root it stays root
# (nagios_user), intervals are seconds (interval_length=1), notifications
# are off, the external command pipe is DIR/nagios.cmd.

# nagios_main DIR OBJECTS...: a self-contained main config in DIR reading
# the object files OBJECTS; $USER1$ is NAGIOS_USER1 (default DIR/plugins).
nagios_main() {
	local d=$1 f
	shift
	mkdir -p "$d/spool" "$d/checkresults"
	cat >"$d/resource.cfg" <<EOF
\$USER1\$=${NAGIOS_USER1:-$d/plugins}
EOF
	cat >"$d/nagios.cfg" <<EOF
log_file=$d/nagios.log
resource_file=$d/resource.cfg
object_cache_file=$d/objects.cache
precached_object_file=$d/objects.precache
status_file=$d/status.dat
status_update_interval=1
lock_file=$d/nagios.lock
temp_file=$d/nagios.tmp
temp_path=$d/spool
check_result_path=$d/checkresults
query_socket=$d/query.sock
command_file=$d/nagios.cmd
check_external_commands=1
state_retention_file=$d/retention.dat
retain_state_information=0
nagios_user=root
nagios_group=root
interval_length=1
service_inter_check_delay_method=n
host_inter_check_delay_method=n
max_service_check_spread=1
max_host_check_spread=1
check_result_reaper_frequency=1
check_workers=1
use_syslog=0
enable_notifications=0
enable_flap_detection=0
allow_empty_hostgroup_assignment=1
log_initial_states=1
log_service_retries=1
illegal_macro_output_chars=\`~\$&|'"<>
EOF
	for f in "$@"; do
		echo "cfg_file=$f" >>"$d/nagios.cfg"
	done
}

# The objects the shipped file leans on: timeperiod, contact, the stock
# generic-service template.
nagios_base_objects() {
	cat >"$1" <<'EOF'
define timeperiod {
    timeperiod_name 24x7
    alias           24x7
    sunday          00:00-24:00
    monday          00:00-24:00
    tuesday         00:00-24:00
    wednesday       00:00-24:00
    thursday        00:00-24:00
    friday          00:00-24:00
    saturday        00:00-24:00
}
define command {
    command_name    notify-none
    command_line    /bin/true
}
define contact {
    contact_name                    nobody
    host_notifications_enabled      0
    service_notifications_enabled   0
    host_notification_period        24x7
    service_notification_period     24x7
    host_notification_options       n
    service_notification_options    n
    host_notification_commands      notify-none
    service_notification_commands   notify-none
}
define service {
    name                    generic-service
    register                0
    active_checks_enabled   1
    check_period            24x7
    max_check_attempts      1
    check_interval          5
    retry_interval          1
    notification_period     24x7
    notifications_enabled   0
    contacts                nobody
}
EOF
}

# status_field FILE HOST SERVICE FIELD: from the servicestatus block.
status_field() {
	awk -v h="$2" -v s="$3" -v f="$4" '
		/^servicestatus \{/ { inb = 1; hh = ""; ss = ""; delete v; next }
		inb && /^\t}/ {
			if (hh == h && ss == s) { print v[f]; exit }
			inb = 0; next }
		inb {
			line = $0; sub(/^\t/, "", line)
			k = line; sub(/=.*/, "", k)
			val = substr(line, length(k) + 2)
			v[k] = val
			if (k == "host_name") hh = val
			if (k == "service_description") ss = val
		}' "$1"
}
