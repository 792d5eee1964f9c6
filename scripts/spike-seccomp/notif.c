// Measuring spike for issue 11 (faults inside unmodified child processes):
// run a command under a seccomp filter that sends chosen syscalls to a
// supervisor (this process) by user notification. The supervisor reads each
// call's path arguments from the child's memory, as the real one will, and
// answers CONTINUE, or fails the K-th call of one syscall with an errno.
//
//   notif [-e NAME:ERRNO:K] NAME[,NAME...] -- CMD [ARGS...]
//   notif --loop N        (the child of the round-trip benchmark: N renames
//                          of a missing file, timed; prints ns per call)
//
// Prints, on stderr: notifications per syscall, how many were injected, the
// command's wall time. Linux x86_64 only; not part of the crate or its CI.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct name { const char *name; int nr; int path_args[2]; };
static const struct name NAMES[] = {
    {"execve", SYS_execve, {0, -1}},       {"execveat", SYS_execveat, {1, -1}},
    {"open", SYS_open, {0, -1}},           {"openat", SYS_openat, {1, -1}},
    {"openat2", SYS_openat2, {1, -1}},     {"creat", SYS_creat, {0, -1}},
    {"rename", SYS_rename, {0, 1}},        {"renameat", SYS_renameat, {1, 3}},
    {"renameat2", SYS_renameat2, {1, 3}},  {"unlink", SYS_unlink, {0, -1}},
    {"unlinkat", SYS_unlinkat, {1, -1}},   {"rmdir", SYS_rmdir, {0, -1}},
    {"link", SYS_link, {0, 1}},            {"linkat", SYS_linkat, {1, 3}},
    {"copy_file_range", SYS_copy_file_range, {-1, -1}},
    {"sendfile", SYS_sendfile, {-1, -1}},  {"ioctl", SYS_ioctl, {-1, -1}},
    {"fsync", SYS_fsync, {-1, -1}},        {"fdatasync", SYS_fdatasync, {-1, -1}},
    {"mkdir", SYS_mkdir, {0, -1}},         {"mkdirat", SYS_mkdirat, {1, -1}},
    {"chmod", SYS_chmod, {0, -1}},         {"fchmodat", SYS_fchmodat, {1, -1}},
    {"flock", SYS_flock, {-1, -1}},        {"write", SYS_write, {-1, -1}},
};
#define NNAMES (sizeof NAMES / sizeof NAMES[0])

static const struct name *lookup(const char *s) {
    for (size_t i = 0; i < NNAMES; i++)
        if (!strcmp(NAMES[i].name, s)) return &NAMES[i];
    fprintf(stderr, "unknown syscall %s\n", s);
    exit(2);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int loop_child(long n) {
    double t0 = now();
    for (long i = 0; i < n; i++) rename("/nonexistent-spike/a", "/nonexistent-spike/b");
    printf("%.0f\n", (now() - t0) / n * 1e9);
    return 0;
}

static void send_fd(int sock, int fd) {
    char buf[CMSG_SPACE(sizeof fd)] = {0};
    char dummy = 0;
    struct iovec io = {&dummy, 1};
    struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof fd);
    memcpy(CMSG_DATA(c), &fd, sizeof fd);
    if (sendmsg(sock, &m, 0) < 0) _exit(120);
}

static int recv_fd(int sock) {
    char buf[CMSG_SPACE(sizeof(int))] = {0};
    char dummy;
    struct iovec io = {&dummy, 1};
    struct msghdr m = {.msg_iov = &io, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof buf};
    if (recvmsg(sock, &m, 0) <= 0) return -1;
    int fd;
    memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof fd);
    return fd;
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "--loop")) return loop_child(atol(argv[2]));
    const char *fail_name = NULL;
    int fail_errno = 0;
    long fail_k = 0;
    int a = 1;
    if (a + 1 < argc && !strcmp(argv[a], "-e")) {
        char *spec = strdup(argv[a + 1]);
        fail_name = strtok(spec, ":");
        fail_errno = atoi(strtok(NULL, ":"));
        fail_k = atol(strtok(NULL, ":"));
        a += 2;
    }
    if (a + 2 >= argc || strcmp(argv[a + 1], "--")) {
        fprintf(stderr, "usage: notif [-e NAME:ERRNO:K] NAME[,NAME...] -- CMD [ARGS...]\n");
        return 2;
    }
    const struct name *watch[NNAMES];
    size_t nwatch = 0;
    for (char *s = strtok(strdup(argv[a]), ","); s; s = strtok(NULL, ",")) watch[nwatch++] = lookup(s);
    char **cmd = &argv[a + 2];

    // The filter: right arch, then one jump per watched syscall to NOTIFY.
    struct sock_filter f[4 + 2 * NNAMES];
    size_t n = 0;
    f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
    f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
    for (size_t i = 0; i < nwatch; i++) {
        f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, watch[i]->nr, 0, 1);
        f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
    }
    f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    struct sock_fprog prog = {.len = (unsigned short)n, .filter = f};

    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) return perror("socketpair"), 1;
    double t0 = now();
    pid_t child = fork();
    if (child == 0) {
        close(sv[0]);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) _exit(121);
        // SPEC_ALLOW (NOTIF_SPEC_ALLOW=1): don't let the filter turn on the
        // speculative-store-bypass mitigation for the whole child, which
        // the kernel does for seccomp'd tasks by default.
        unsigned flags = SECCOMP_FILTER_FLAG_NEW_LISTENER;
        if (getenv("NOTIF_SPEC_ALLOW")) flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
        int fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
        if (fd < 0) _exit(122);
        send_fd(sv[1], fd);
        close(fd);
        close(sv[1]);
        execvp(cmd[0], cmd);
        _exit(127);
    }
    close(sv[1]);
    int listener = recv_fd(sv[0]);
    if (listener < 0) return fprintf(stderr, "no listener (child exit)\n"), 1;

    struct seccomp_notif_sizes sizes;
    syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes);
    struct seccomp_notif *req = malloc(sizes.seccomp_notif);
    struct seccomp_notif_resp *resp = malloc(sizes.seccomp_notif_resp);
    long counts[NNAMES] = {0}, injected = 0, notes = 0;
    char path[512];
    for (;;) {
        struct pollfd p = {listener, POLLIN, 0};
        if (poll(&p, 1, -1) < 0 && errno == EINTR) continue;
        if (p.revents & POLLHUP) break; // every process under the filter has gone
        memset(req, 0, sizes.seccomp_notif);
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req)) {
            if (errno == EINTR || errno == ENOENT) continue;
            break;
        }
        notes++;
        const struct name *w = NULL;
        for (size_t i = 0; i < nwatch; i++)
            if (watch[i]->nr == req->data.nr) w = watch[i];
        size_t wi = w - NAMES;
        counts[wi]++;
        // Read the path arguments, as the real supervisor must, then check
        // the notification is still live (the memory read could race a
        // thread of the child exec'ing or exiting).
        for (int k = 0; k < 2 && w->path_args[k] >= 0; k++) {
            struct iovec local = {path, sizeof path - 1};
            struct iovec remote = {(void *)req->data.args[w->path_args[k]], sizeof path - 1};
            ssize_t got = process_vm_readv(req->pid, &local, 1, &remote, 1, 0);
            path[got > 0 ? got : 0] = 0;
        }
        if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id)) continue;
        memset(resp, 0, sizes.seccomp_notif_resp);
        resp->id = req->id;
        if (fail_name && !strcmp(fail_name, w->name) && counts[wi] == fail_k) {
            resp->error = -fail_errno;
            injected++;
        } else {
            resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        }
        ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
    }
    int status;
    waitpid(child, &status, 0);
    double took = now() - t0;
    for (size_t i = 0; i < nwatch; i++)
        fprintf(stderr, "notif: %-16s %ld\n", watch[i]->name, counts[watch[i] - NAMES]);
    fprintf(stderr, "notif: %ld notifications, %ld injected, %.3f s, exit %d\n", notes, injected, took,
            WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
