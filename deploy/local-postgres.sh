#!/usr/bin/env bash
# Finds the PostgreSQL `make run` and `make test` use, starting a private
# one when none answers, and prints the URL to use.
#
#   deploy/local-postgres.sh URL    print URL, or a private server's URL
#   deploy/local-postgres.sh stop   stop the private server (data kept)
#
# When the PostgreSQL at URL lets the URL's user in, URL is printed
# unchanged. When URL names this machine (127.0.0.1, localhost, ::1) and
# nothing answers there, or the server there turns us away (such as the
# Debian cluster installing the package creates, which wants passwords),
# the script starts - or reuses - a private server from Debian's
# PostgreSQL packages (installed with apt-get when missing and root) and
# prints URL pointing at it: user postgres, trust auth, 127.0.0.1 only, the
# first free port from 55432 up.
#
# Its data lives in ./var/postgres. PostgreSQL will not run as root, so as
# root the server runs as the `postgres` user the package creates; when that
# user cannot reach ./var (the checkout under a private home directory), the
# data goes to /tmp/onramp-postgres-NUMBER instead, NUMBER naming the
# checkout. The server keeps running after make finishes, so later runs
# start at once; `make stop-db` stops it, and removing the data directory
# forgets it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
first_port=55432

say() { echo "local-postgres: $*" >&2; }
die() {
	say "$*"
	exit 1
}

# as_owner runs a command as the user owning the private server's data.
as_owner() {
	if ((EUID == 0)); then
		(cd / && exec runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

# server_bin prints the newest installed PostgreSQL server's bin directory.
server_bin() {
	local initdb
	initdb=$(printf '%s\n' /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)
	[[ -x $initdb ]] && dirname "$initdb"
}

# data_dir prints (and creates) the private server's data directory.
data_dir() {
	local dir=$root/var/postgres
	if ((EUID != 0)); then
		mkdir -p "$dir" && chmod 700 "$dir"
		echo "$dir"
		return
	fi
	getent passwd postgres >/dev/null || die "no 'postgres' user to run PostgreSQL as (the postgresql package creates it)"
	mkdir -p "$dir"
	if [[ $(stat -c %U "$dir") != postgres ]]; then
		chown postgres: "$dir"
		chmod 700 "$dir"
	fi
	if ! runuser -u postgres -- test -w "$dir" 2>/dev/null; then
		rmdir "$dir" 2>/dev/null || true
		dir=/tmp/onramp-postgres-$(printf %s "$root" | cksum | cut -d ' ' -f 1)
		[[ ! -L $dir ]] || die "$dir is a symbolic link; remove it"
		mkdir -p "$dir"
		[[ $(stat -c %U "$dir") == postgres ]] || chown postgres: "$dir"
		chmod 700 "$dir"
	fi
	echo "$dir"
}

# detached runs a command as the data's owner with only stdin, stdout and
# stderr open, so the server that outlives make holds none of its caller's
# pipes nor the set-up lock.
detached() {
	local fd
	for fd in "/proc/$BASHPID/fd/"*; do
		fd=${fd##*/}
		if ((fd > 2 && fd != 255)); then eval "exec $fd>&-"; fi
	done
	as_owner "$@"
}

# port_free reports whether nothing listens on 127.0.0.1:$1.
port_free() { [[ -n $1 ]] && ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_private starts (or finds running) the private server and prints its port.
start_private() {
	local bin data port
	bin=$(server_bin) || {
		"$root/deploy/apt-install.sh" postgresql >&2 || exit 1
		bin=$(server_bin) || die "installed postgresql but found no /usr/lib/postgresql/*/bin/initdb"
	}
	data=$(data_dir)
	mkdir -p "$root/var"
	exec 9>"$root/var/postgres.lock" # one make at a time sets the server up
	flock -w 120 9 || die "another make is still starting the private PostgreSQL"

	if [[ ! -s $data/PG_VERSION ]]; then
		say "creating a private PostgreSQL in $data"
		as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$root/var/postgres-initdb.log" ||
			die "initdb failed, see var/postgres-initdb.log"
		cat >>"$data/postgresql.conf" <<-EOF

			# Onramp's private server (deploy/local-postgres.sh)
			listen_addresses = '127.0.0.1'
			unix_socket_directories = ''
			port = $first_port
		EOF
	fi

	if as_owner "$bin/pg_ctl" status -D "$data" >/dev/null; then
		port=$(sed -n 4p "$data/postmaster.pid")
		say "reusing the private PostgreSQL in $data on 127.0.0.1:$port"
	else
		port=$(sed -n 's/^port = \([0-9]*\)$/\1/p' "$data/postgresql.conf")
		if ! port_free "$port"; then # taken since the last run: move to a free one
			port=$first_port
			until port_free "$port"; do port=$((port + 1)); done
			as_owner sed -i '/^port = /d' "$data/postgresql.conf"
			echo "port = $port" >>"$data/postgresql.conf"
		fi
		say "starting the private PostgreSQL in $data on 127.0.0.1:$port (make stop-db stops it)"
		(detached "$bin/pg_ctl" start -w -t 60 -D "$data" -l "$data/server.log") >/dev/null ||
			die "PostgreSQL did not start; see $data/server.log"
	fi
	"$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 30 || die "the private PostgreSQL on port $port does not answer"
	echo "$port"
}

stop_private() {
	local bin data
	bin=$(server_bin) || exit 0
	data=$(data_dir)
	if [[ -s $data/PG_VERSION ]] && as_owner "$bin/pg_ctl" status -D "$data" >/dev/null; then
		as_owner "$bin/pg_ctl" stop -D "$data" -m fast >/dev/null
		say "stopped the private PostgreSQL in $data"
	fi
}

# client prints the path of a PostgreSQL client program, if there is one.
client() {
	local bin
	if bin=$(server_bin); then echo "$bin/$1"; else command -v "$1"; fi
}

# answers reports whether the PostgreSQL at the URL $1 lets us in. It
# returns 1 when nothing answers, 2 when a server turned us away, saying
# why in $refusal.
answers() {
	local psql isready rc=0
	if psql=$(client psql) && isready=$(client pg_isready); then
		refusal=$(PGCONNECT_TIMEOUT=5 "$psql" -w -Atqc 'SELECT 1' -d "$1" 2>&1 >/dev/null) && return 0
		"$isready" -q -t 5 -d "$1" || rc=$?
		((rc <= 1)) && return 2 # 0 accepting, 1 rejecting (starting up): a server is there
		return 1
	fi
	# No client installed yet: a listening port will have to do.
	timeout 5 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null || return 1
}

if [[ ${1:-} == stop ]]; then
	stop_private
	exit 0
fi
url=${1:?usage: $0 URL | stop}

# postgres://[user[:password]@]host[:port][/dbname][?params]
re='^(postgres|postgresql)://(([^@/]*)@)?([^/?]*)(/([^?]*))?(\?(.*))?$'
if ! [[ $url =~ $re ]]; then
	echo "$url" # not a URL (key=value settings): use it as given
	exit 0
fi
userinfo=${BASH_REMATCH[2]} hostport=${BASH_REMATCH[4]} db=${BASH_REMATCH[6]:-postgres} params=${BASH_REMATCH[8]}
if [[ $hostport =~ ^\[(.*)\](:([0-9]+))?$ ]]; then
	host=${BASH_REMATCH[1]} port=${BASH_REMATCH[3]:-5432}
elif [[ $hostport == *:* ]]; then
	host=${hostport%%:*} port=${hostport##*:}
else
	host=${hostport:-localhost} port=5432
fi

status=0
answers "postgres://$userinfo$hostport/postgres${params:+?$params}" || status=$?
case $status in
0)
	echo "$url"
	exit 0
	;;
1) why="nothing answers at $host:$port" ;;
2) why="the PostgreSQL at $host:$port turned us away ($(head -n 1 <<<"$refusal"))" ;;
esac
case $host in
127.* | localhost | ::1) ;;
*) die "$why, and that is not this machine, so there is nothing to start here; check the URL" ;;
esac
say "$why"

port=$(start_private)
# The private server has no TLS: keep the URL's other parameters, not sslmode.
query=sslmode=disable
IFS='&' read -ra pairs <<<"$params"
for p in "${pairs[@]}"; do
	[[ -z $p || $p == sslmode=* ]] || query+="&$p"
done
echo "postgres://postgres@127.0.0.1:$port/$db?$query"
