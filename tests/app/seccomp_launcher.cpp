// seccomp_launcher: runs a program under the system-call filter a systemd unit file declares, the
// way systemd would install it, so a test can run `qrtickets serve` under the packaged unit's own
// filter without systemd (CI has no systemd as PID 1).
//
//   seccomp_launcher UNIT_FILE [--] PROGRAM [ARGS...]   install the filter, then exec PROGRAM
//   seccomp_launcher --print UNIT_FILE                  print the resolved filter and exit
//
// What is read from [Service]: SystemCallFilter= (allow list, or "~" deny list; later lines add to
// or take from the first one's list, an empty one resets, "@group"s are expanded with the output
// of `systemd-analyze syscall-filter`, and an allow list always includes @default, as systemd
// does), SystemCallErrorNumber= (errno name or number; without it a denied call kills the process
// with SIGSYS, as systemd does), RestrictAddressFamilies= (socket() of another family fails with
// EAFNOSUPPORT) and MemoryDenyWriteExecute= (writable+executable mappings fail with EPERM).
// DynamicUser=yes: started as root, the program runs as nobody (65534), as it would under its own
// dynamic user (SQLite, for one, calls fchown() only as root). Per-call ":errno" suffixes and the
// other sandboxing settings are not modelled.
//
// Exit codes: 125 the unit file or the filter could not be read or installed, 127 exec failed.

#include <seccomp.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <grp.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

using Groups = std::map<std::string, std::vector<std::string>>;

[[noreturn]] void die(const std::string &message)
{
    std::cerr << "seccomp_launcher: " << message << '\n';
    std::exit(125);
}

std::string trim(const std::string &s)
{
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos)
        return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::vector<std::string> words(const std::string &s)
{
    std::istringstream in(s);
    std::vector<std::string> out;
    for (std::string w; in >> w;)
        out.push_back(w);
    return out;
}

// `systemd-analyze syscall-filter`: a "@group" line, then its members indented (calls or nested
// @groups), "#" comments, a blank line between groups.
Groups readGroups()
{
    FILE *p = ::popen("systemd-analyze syscall-filter --no-pager 2>/dev/null", "r");
    if (!p)
        die("cannot run systemd-analyze (install the systemd package)");
    Groups groups;
    std::string current;
    char line[512];
    while (std::fgets(line, sizeof line, p)) {
        const std::string raw(line);
        const std::string t = trim(raw);
        if (t.empty() || t[0] == '#') {
            if (t.empty())
                current.clear();
            continue;
        }
        if (raw[0] == '@') {
            current = t;
            groups[current];
        } else if (!current.empty()) {
            groups[current].push_back(t);
        }
    }
    const int status = ::pclose(p);
    if (status != 0 || groups.find("@default") == groups.end())
        die("systemd-analyze syscall-filter printed no @default group (install the systemd package)");
    return groups;
}

void expand(const Groups &groups, const std::string &name, std::set<std::string> &into, std::set<std::string> &seen)
{
    if (name.empty() || name[0] != '@') {
        into.insert(name.substr(0, name.find(':'))); // "call:errno": the per-call errno is not modelled
        return;
    }
    if (!seen.insert(name).second)
        return;
    const auto it = groups.find(name);
    if (it == groups.end())
        die("unknown system call group " + name);
    for (const std::string &member : it->second)
        expand(groups, member, into, seen);
}

int errnoFromName(const std::string &value)
{
    if (!value.empty() && value.find_first_not_of("0123456789") == std::string::npos)
        return std::atoi(value.c_str());
    for (int e = 1; e < 4096; ++e) {
        const char *name = ::strerrorname_np(e);
        if (name && value == name)
            return e;
    }
    die("unknown errno name " + value);
}

struct Unit
{
    bool haveFilter = false;
    bool allowList = true;
    std::set<std::string> calls; // allowed (allow list) or denied (deny list)
    int errnoAction = -1;        // -1: kill the process
    bool restrictFamilies = false;
    std::set<int> families;
    bool memoryDenyWriteExecute = false;
    bool dynamicUser = false;
};

bool yes(const std::string &v)
{
    return v == "yes" || v == "true" || v == "1" || v == "on";
}

Unit readUnit(const std::string &path, const Groups &groups)
{
    std::ifstream in(path);
    if (!in)
        die("cannot read the unit file " + path);
    Unit unit;
    for (std::string line; std::getline(in, line);) {
        line = trim(line);
        if (line.empty() || line[0] == '#' || line[0] == ';')
            continue;
        const auto eq = line.find('=');
        if (eq == std::string::npos)
            continue;
        const std::string key = trim(line.substr(0, eq));
        std::string value = trim(line.substr(eq + 1));
        if (key == "SystemCallFilter") {
            if (value.empty()) {
                unit.haveFilter = false;
                unit.allowList = true;
                unit.calls.clear();
                continue;
            }
            const bool invert = value[0] == '~';
            if (invert)
                value.erase(0, 1);
            std::set<std::string> these, seen;
            for (const std::string &w : words(value))
                expand(groups, w, these, seen);
            if (!unit.haveFilter) {
                unit.haveFilter = true;
                unit.allowList = !invert;
                std::set<std::string> defaultSeen;
                if (unit.allowList)
                    expand(groups, "@default", unit.calls, defaultSeen);
            }
            const bool add = invert != unit.allowList; // same polarity as the first line: add
            for (const std::string &c : these) {
                if (add)
                    unit.calls.insert(c);
                else
                    unit.calls.erase(c);
            }
        } else if (key == "SystemCallErrorNumber") {
            unit.errnoAction = (value.empty() || value == "kill") ? -1 : errnoFromName(value);
        } else if (key == "RestrictAddressFamilies") {
            if (value.empty() || value == "none") {
                unit.restrictFamilies = !value.empty();
                unit.families.clear();
                continue;
            }
            if (value[0] == '~')
                die("RestrictAddressFamilies=~... is not modelled");
            unit.restrictFamilies = true;
            for (const std::string &w : words(value)) {
                if (w == "AF_UNIX")
                    unit.families.insert(AF_UNIX);
                else if (w == "AF_INET")
                    unit.families.insert(AF_INET);
                else if (w == "AF_INET6")
                    unit.families.insert(AF_INET6);
                else if (w == "AF_NETLINK")
                    unit.families.insert(AF_NETLINK);
                else if (w == "AF_PACKET")
                    unit.families.insert(AF_PACKET);
                else
                    die("address family " + w + " is not modelled");
            }
        } else if (key == "MemoryDenyWriteExecute") {
            unit.memoryDenyWriteExecute = yes(value);
        } else if (key == "DynamicUser") {
            unit.dynamicUser = yes(value);
        }
    }
    if (!unit.haveFilter)
        die(path + " has no SystemCallFilter= line");
    return unit;
}

void add(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned count, const scmp_arg_cmp *args)
{
    const int nr = ::seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR)
        return; // not a call of this architecture
    const int r = ::seccomp_rule_add_array(ctx, action, nr, count, args);
    if (r != 0 && r != -EEXIST)
        die(std::string("cannot add a rule for ") + name + ": " + std::strerror(-r));
}

// systemd loads RestrictAddressFamilies= and MemoryDenyWriteExecute= as filters of their own; the
// kernel applies the strictest answer of all filters.
void loadSideFilters(const Unit &unit)
{
    if (!unit.restrictFamilies && !unit.memoryDenyWriteExecute)
        return;
    scmp_filter_ctx ctx = ::seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx)
        die("seccomp_init failed");
    if (unit.restrictFamilies) {
        for (int family = 0; family < AF_MAX; ++family) {
            if (unit.families.count(family))
                continue;
            const scmp_arg_cmp arg = SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(family));
            add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), "socket", 1, &arg);
        }
        const scmp_arg_cmp above = SCMP_A0(SCMP_CMP_GE, static_cast<scmp_datum_t>(AF_MAX));
        add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), "socket", 1, &above);
    }
    if (unit.memoryDenyWriteExecute) {
        const scmp_arg_cmp wx = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC | PROT_WRITE, PROT_EXEC | PROT_WRITE);
        add(ctx, SCMP_ACT_ERRNO(EPERM), "mmap", 1, &wx);
        add(ctx, SCMP_ACT_ERRNO(EPERM), "mmap2", 1, &wx);
        const scmp_arg_cmp x = SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC);
        add(ctx, SCMP_ACT_ERRNO(EPERM), "mprotect", 1, &x);
        add(ctx, SCMP_ACT_ERRNO(EPERM), "pkey_mprotect", 1, &x);
        const scmp_arg_cmp shm = SCMP_A2(SCMP_CMP_MASKED_EQ, SHM_EXEC, SHM_EXEC);
        add(ctx, SCMP_ACT_ERRNO(EPERM), "shmat", 1, &shm);
    }
    if (const int r = ::seccomp_load(ctx); r != 0)
        die(std::string("cannot load the filter: ") + std::strerror(-r));
    ::seccomp_release(ctx);
}

void loadCallFilter(const Unit &unit)
{
    const uint32_t denied = unit.errnoAction < 0 ? SCMP_ACT_KILL_PROCESS : SCMP_ACT_ERRNO(unit.errnoAction);
    scmp_filter_ctx ctx = ::seccomp_init(unit.allowList ? denied : SCMP_ACT_ALLOW);
    if (!ctx)
        die("seccomp_init failed");
    for (const std::string &call : unit.calls)
        add(ctx, unit.allowList ? SCMP_ACT_ALLOW : denied, call.c_str(), 0, nullptr);
    if (const int r = ::seccomp_load(ctx); r != 0)
        die(std::string("cannot load the filter: ") + std::strerror(-r));
    ::seccomp_release(ctx);
}

} // namespace

int main(int argc, char **argv)
{
    bool print = false;
    int i = 1;
    if (i < argc && std::strcmp(argv[i], "--print") == 0) {
        print = true;
        ++i;
    }
    if (i >= argc)
        die("usage: seccomp_launcher UNIT_FILE [--] PROGRAM [ARGS...] | seccomp_launcher --print UNIT_FILE");
    const Unit unit = readUnit(argv[i++], readGroups());
    if (print) {
        std::cout << (unit.allowList ? "allow-list" : "deny-list") << '\n'
                  << "denied: " << (unit.errnoAction < 0 ? "kill" : ::strerrorname_np(unit.errnoAction)) << '\n';
        for (const std::string &c : unit.calls)
            std::cout << c << '\n';
        return 0;
    }
    if (i < argc && std::strcmp(argv[i], "--") == 0)
        ++i;
    if (i >= argc)
        die("no program to run");
    if (unit.dynamicUser && ::geteuid() == 0) {
        // The saved IDs stay root until exec, so that a program nobody cannot reach (a build tree
        // under /root) still runs, as root, rather than not at all.
        const uid_t nobody = 65534;
        const gid_t nogroup = 65534;
        if (::setgroups(0, nullptr) != 0 || ::setresgid(nogroup, nogroup, 0) != 0 || ::setresuid(nobody, nobody, 0) != 0)
            die(std::string("cannot switch to the user nobody: ") + std::strerror(errno));
        if (::access(argv[i], X_OK) != 0) {
            if (::setresuid(0, 0, 0) != 0 || ::setresgid(0, 0, 0) != 0)
                die(std::string("cannot switch back to root: ") + std::strerror(errno));
            std::cerr << "seccomp_launcher: nobody cannot run " << argv[i] << "; it runs as root instead of a dynamic user\n";
        }
    }
    loadSideFilters(unit); // first: once the call filter is in, seccomp() itself may be denied
    loadCallFilter(unit);
    ::execvp(argv[i], argv + i);
    std::cerr << "seccomp_launcher: cannot run " << argv[i] << ": " << std::strerror(errno) << '\n';
    return 127;
}
