#!/usr/bin/env bash
# The cold build cost of an application that uses userbridge (README, "Adding
# userbridge to a project"): a one-call application built with
# `cargo build --release` in a target directory of its own, for
#   before        every provider at REV (default ba6403f, before per-provider
#                 features), its default features
#   all           every provider at HEAD, default features (ring)
#   okta          Okta alone at HEAD, ring
#   okta-graviola Okta alone at HEAD, graviola (no C build)
# Prints, per build: crates in its tree, C build tools among them (cc, cmake),
# CPU time (user + sys), wall time, binary size, and the load average.
# Usage: bench/build-cost.sh [REV]   (from the repository root; needs bc)
set -euo pipefail
cd "$(dirname "$0")/.."
rev="${1:-ba6403f}"
work="$PWD/target/build-cost"
rm -rf "$work" && mkdir -p "$work/apps"
git archive "$rev" | (mkdir -p "$work/before" && tar -x -C "$work/before")
git archive HEAD | (mkdir -p "$work/head" && tar -x -C "$work/head")

app() { # name, dependency line, lock file
  mkdir -p "$work/apps/$1/src"
  printf '[package]\nname = "app-%s"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n[dependencies]\n%s\ntokio = { version = "1", features = ["rt"] }\n\n[workspace]\n' "$1" "$2" \
    >"$work/apps/$1/Cargo.toml"
  cp "$3" "$work/apps/$1/Cargo.lock"
  cat >"$work/apps/$1/src/main.rs" <<'EOF'
use userbridge::{Client, Provider};

fn main() {
    let client = Client::builder(Provider::Okta)
        .base_url("https://example.okta.com")
        .api_token("00abcdefghijklmnopqrstuvwxyz")
        .build()
        .expect("a valid configuration");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let result = rt.block_on(client.users().reactivate("00u1"));
    println!("{:?}", result.map(|r| r.user_id().to_string()));
}
EOF
}
app before 'userbridge = { path = "../../before/sdk" }' "$work/before/Cargo.lock"
app all 'userbridge = { path = "../../head/sdk" }' Cargo.lock
app okta 'userbridge = { path = "../../head/sdk", default-features = false, features = ["okta", "rustls-ring"] }' Cargo.lock
app okta-graviola 'userbridge = { path = "../../head/sdk", default-features = false, features = ["okta", "rustls-graviola"] }' Cargo.lock

for name in before all okta okta-graviola; do
  dir="$work/apps/$name"
  (cd "$dir" && cargo fetch -q)
  start=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$work/$name.time" \
    cargo build --release -q --manifest-path "$dir/Cargo.toml" 2>"$work/$name.err"
  end=$(date +%s.%N)
  tree=$(cd "$dir" && cargo tree -e normal,build --prefix none | sed 's/ (\*)//' | sort -u)
  crates=$(printf '%s\n' "$tree" | wc -l)
  c_tools=$(printf '%s\n' "$tree" | grep -E '^(cc|cmake) v' | cut -d' ' -f1 | tr '\n' ' ')
  read -r user sys <"$work/$name.time"
  printf '%-14s crates %4d  C tools [%s]  cpu %6.1f s  wall %6.1f s  binary %5.1f MB  load %s\n' \
    "$name" "$crates" "${c_tools% }" "$(echo "$user + $sys" | bc)" "$(echo "$end - $start" | bc)" \
    "$(echo "scale=1; $(stat -c %s "$dir/target/release/app-$name") / 1000000" | bc)" \
    "$(cut -d' ' -f1 /proc/loadavg)"
  rm -rf "$dir/target"
done
