#!/usr/bin/env bash
# shaded-jars.sh JAR...: the jars carry only part of Bouncy Castle (the packages its RFC 8032 Ed25519
# class reaches: pom.xml's shade filter). Fails when a jar lacks a Bouncy Castle class that the
# project's own classes reach, directly or through other Bouncy Castle classes (jdeps' static class
# graph), naming the class and who refers to it; prints how many classes were reached otherwise.
set -euo pipefail
jdeps=jdeps
command -v jdeps >/dev/null 2>&1 || jdeps="${JAVA_HOME:?jdeps is not on PATH and JAVA_HOME is not set}/bin/jdeps"
[[ $# -gt 0 ]] || { echo "usage: $0 JAR..." >&2; exit 2; }
for jar in "$@"; do
  [[ -f $jar ]] || { echo "shaded-jars: $jar: no such file" >&2; exit 1; }
  "$jdeps" --multi-release 17 -verbose:class -filter:none "$jar" | awk -v jar="$jar" '
    $2 == "->" && $1 ~ /^org\.(qoraedge|bouncycastle)\./ && $3 ~ /^org\.bouncycastle\./ {
      edges[$1] = edges[$1] " " $3
      if ($4 == "not") { missing[$3] = 1 }
      if ($1 ~ /^org\.qoraedge\./ && !($3 in seen)) { seen[$3] = $1; queue[n++] = $3 }
    }
    END {
      if (n == 0) { print "shaded-jars: " jar ": no class of the project refers to Bouncy Castle (jdeps output not understood?)"; exit 1 }
      for (i = 0; i < n; i++) {
        k = split(edges[queue[i]], next_, " ")
        for (j = 1; j <= k; j++) {
          if (!(next_[j] in seen)) { seen[next_[j]] = queue[i]; queue[n++] = next_[j] }
        }
      }
      bad = 0
      for (i = 0; i < n; i++) {
        if (queue[i] in missing) { print "shaded-jars: " jar " lacks " queue[i] " (referred to by " seen[queue[i]] ")"; bad = 1 }
      }
      if (bad) { exit 1 }
      print "shaded-jars: " jar ": the " n " Bouncy Castle classes the project reaches are all there"
    }'
done
