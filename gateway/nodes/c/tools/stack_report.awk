# Worst-case stack of each API function (the names in -v api="...", default every global qora_*
# function) from gcc's -fcallgraph-info=su files (.ci):
# its own frame plus the deepest chain of calls it makes inside the library. Calls that leave the
# library (memcpy, memset, memcmp, libgcc) count 0 here; calls through a hook pointer are marked
# "+ hook": the hook's own stack comes on top. POSIX awk (mawk, gawk).
function field(s, key,    i, rest) {
    i = index(s, key "\"")
    if (i == 0) return ""
    rest = substr(s, i + length(key) + 1)
    return substr(rest, 1, index(rest, "\"") - 1)
}
function worst(f,    n, i, w, best, c, list) {
    if (f in memo) return memo[f]
    if (f in visiting) { cyclic = 1; return 0 }
    visiting[f] = 1
    best = 0
    n = split(callees[f], list, " ")
    for (i = 1; i <= n; i++) {
        c = list[i]
        if (c == "__indirect_call") { hook[f] = 1; continue }
        w = worst(c)
        if (c in hook) hook[f] = 1
        if (w > best) best = w
    }
    delete visiting[f]
    memo[f] = own[f] + best
    return memo[f]
}
/^node:/ {
    t = field($0, "title: ")
    l = field($0, "label: ")
    if (match(l, /[0-9]+ bytes \(/)) {
        own[t] = substr(l, RSTART, RLENGTH - 8) + 0
        if (l !~ /bytes \(static\)/) dynamic[t] = 1
    }
    next
}
/^edge:/ {
    s = field($0, "sourcename: ")
    t = field($0, "targetname: ")
    if (index(" " callees[s] " ", " " t " ") == 0) callees[s] = callees[s] " " t
    next
}
END {
    n = split(api, names, " ")
    for (i = 1; i <= n; i++) wanted[names[i]] = 1
    for (f in own) {
        if (n > 0 ? (f in wanted) : (f ~ /^qora_/)) {
            out = sprintf("%6d  %s%s%s", worst(f), f, (f in hook) ? "  + hook" : "", (f in dynamic) ? "  (dynamic frame)" : "")
            print out | "sort -k1,1nr -k2,2"
        }
    }
    close("sort -k1,1nr -k2,2")
    if (cyclic) print "note: the call graph has a cycle; its figures are a lower bound"
}
