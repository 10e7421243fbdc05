/*
 * ftpc: the benchmark's FTP client, small and fast enough that the server is what gets measured.
 *
 * Compiled by bench/run.ts with `cc -O2 bench/ftpc.c -lpthread -l:libssl.so.3 -l:libcrypto.so.3`.
 * It declares the dozen OpenSSL functions it calls itself, so only the runtime libraries (always
 * present: curl and python need them) are needed, not the -dev headers.
 *
 * Every mode prints one JSON object on stdout. Every socket has send/receive timeouts and the
 * whole process an alarm, so nothing waits forever.
 *
 *   ftpc retr   HOST PORT PATH EXPECT TLS        one session: PASV + RETR, bytes to nowhere
 *   ftpc stor   HOST PORT PATH BYTES TLS         one session: PASV + STOR of BYTES from memory
 *   ftpc many   HOST PORT DIR COUNT              one session: COUNT × (PASV + RETR DIR/fNNNNN)
 *   ftpc list   HOST PORT DIR VERB REPS          one session: REPS × (PASV + LIST|MLSD DIR)
 *   ftpc conc   HOST PORT PATH EXPECT N          N sessions log in, then all RETR at once;
 *                                                a further session pings NOOP meanwhile
 *   ftpc logins HOST PORT N                      N clients connect and log in at the same moment
 *   ftpc idle   HOST PORT N                      N logged-in sessions, held until a line on stdin
 *   ftpc rawserve send FILE | copy FILE | recv OUTFILE   plain TCP peer for the physical limit
 *                                                (send: sendfile; copy: read/write, a userspace copy)
 *   ftpc rawserve tls-send FILE CERT KEY | tls-recv OUTFILE CERT KEY    the same over OpenSSL
 *   ftpc rawrecv HOST PORT EXPECT TLS            read a raw (TLS) socket to EOF
 *   ftpc rawsend HOST PORT BYTES TLS             write BYTES to a raw (TLS) socket, wait for EOF
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- the OpenSSL 3 functions we use (opaque types, stable ABI) ---- */
typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_method_st SSL_METHOD;
typedef struct ssl_cipher_st SSL_CIPHER;
const SSL_METHOD *TLS_client_method(void);
const SSL_METHOD *TLS_server_method(void);
int SSL_CTX_use_certificate_chain_file(SSL_CTX *ctx, const char *file);
int SSL_CTX_use_PrivateKey_file(SSL_CTX *ctx, const char *file, int type);
int SSL_accept(SSL *ssl);
SSL_CTX *SSL_CTX_new(const SSL_METHOD *method);
long SSL_CTX_ctrl(SSL_CTX *ctx, int cmd, long larg, void *parg);
int SSL_CTX_set_ciphersuites(SSL_CTX *ctx, const char *str);
int SSL_CTX_set_cipher_list(SSL_CTX *ctx, const char *str);
SSL *SSL_new(SSL_CTX *ctx);
int SSL_set_fd(SSL *ssl, int fd);
int SSL_connect(SSL *ssl);
int SSL_read(SSL *ssl, void *buf, int num);
int SSL_write(SSL *ssl, const void *buf, int num);
int SSL_shutdown(SSL *ssl);
void SSL_free(SSL *ssl);
int SSL_get_error(const SSL *ssl, int ret);
const SSL_CIPHER *SSL_get_current_cipher(const SSL *ssl);
const char *SSL_CIPHER_get_name(const SSL_CIPHER *cipher);
const char *SSL_get_version(const SSL *ssl);
#define SSL_CTRL_SET_MIN_PROTO_VERSION 123
#define SSL_FILETYPE_PEM 1
#define TLS1_2_VERSION 0x0303

#define BIG_BUF (1 << 20)

static int io_timeout_s = 60;
static SSL_CTX *ssl_ctx;
static char tls_cipher[64] = "";
static char tls_version[32] = "";

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char msg[512];
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  for (char *p = msg; *p; p++) if (*p == '"' || *p == '\\' || *p < 32) *p = ' ';
  printf("{\"error\":\"%s\"}\n", msg);
  fflush(stdout);
  exit(1);
}

static void init_tls(void) {
  if (ssl_ctx) return;
  ssl_ctx = SSL_CTX_new(TLS_client_method());
  if (!ssl_ctx) die("SSL_CTX_new failed");
  SSL_CTX_ctrl(ssl_ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL);
  /* One cipher for every server and for the raw TLS limit (AES-128-GCM, TLS 1.3 or 1.2). */
  SSL_CTX_set_ciphersuites(ssl_ctx, "TLS_AES_128_GCM_SHA256");
  SSL_CTX_set_cipher_list(ssl_ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256");
  /* No verification: the certificate is our own self-signed one. */
}

static void set_timeouts(int fd) {
  struct timeval tv = {io_timeout_s, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static int tcp_connect(const char *host, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  set_timeouts(fd);
  struct sockaddr_in sa = {0};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) { close(fd); return -1; }
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { close(fd); return -1; }
  return fd;
}

/* ---- a connection: fd, optional TLS, a line buffer for the control channel ---- */
typedef struct {
  int fd;
  SSL *ssl;
  char buf[16384];
  int len, pos;
} conn_t;

static int tls_start(conn_t *c) {
  init_tls();
  c->ssl = SSL_new(ssl_ctx);
  SSL_set_fd(c->ssl, c->fd);
  if (SSL_connect(c->ssl) != 1) return -1;
  const SSL_CIPHER *cipher = SSL_get_current_cipher(c->ssl);
  if (cipher) snprintf(tls_cipher, sizeof tls_cipher, "%s", SSL_CIPHER_get_name(cipher));
  snprintf(tls_version, sizeof tls_version, "%s", SSL_get_version(c->ssl));
  return 0;
}

static long c_read(conn_t *c, void *buf, size_t n) {
  if (c->ssl) {
    int r = SSL_read(c->ssl, buf, n > 0x40000000 ? 0x40000000 : (int)n);
    if (r > 0) return r;
    return SSL_get_error(c->ssl, r) == 6 /* SSL_ERROR_ZERO_RETURN */ ? 0 : -1;
  }
  for (;;) {
    long r = recv(c->fd, buf, n, 0);
    if (r < 0 && errno == EINTR) continue;
    return r;
  }
}

static int c_write(conn_t *c, const void *buf, size_t n) {
  const char *p = buf;
  while (n > 0) {
    long w;
    if (c->ssl) {
      w = SSL_write(c->ssl, p, n > 0x40000000 ? 0x40000000 : (int)n);
      if (w <= 0) return -1;
    } else {
      w = send(c->fd, p, n, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return -1;
    }
    p += w;
    n -= w;
  }
  return 0;
}

static void c_close(conn_t *c) {
  if (c->ssl) { SSL_free(c->ssl); c->ssl = NULL; }
  if (c->fd >= 0) close(c->fd);
  c->fd = -1;
}

/* One line without CRLF; -1 on EOF/error. */
static int read_line(conn_t *c, char *out, int cap) {
  int n = 0;
  for (;;) {
    if (c->pos >= c->len) {
      long r = c_read(c, c->buf, sizeof c->buf);
      if (r <= 0) return -1;
      c->len = r;
      c->pos = 0;
    }
    char ch = c->buf[c->pos++];
    if (ch == '\n') {
      if (n > 0 && out[n - 1] == '\r') n--;
      out[n] = 0;
      return n;
    }
    if (n < cap - 1) out[n++] = ch;
  }
}

/* A whole reply (multi-line aware); returns its code, -1 on EOF. `text` gets the last line. */
static int read_reply(conn_t *c, char *text, int cap) {
  char line[4096];
  if (read_line(c, line, sizeof line) < 0) return -1;
  if (strlen(line) < 3) return -1;
  int code = atoi(line);
  if (line[3] == '-') {
    char end[5];
    snprintf(end, sizeof end, "%.3s ", line);
    for (;;) {
      if (read_line(c, line, sizeof line) < 0) return -1;
      if (strncmp(line, end, 4) == 0) break;
    }
  }
  if (text) snprintf(text, cap, "%s", line);
  return code;
}

static int command(conn_t *c, char *reply, int cap, const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 2, fmt, ap);
  va_end(ap);
  line[n++] = '\r';
  line[n++] = '\n';
  if (c_write(c, line, n) < 0) return -1;
  return read_reply(c, reply, cap);
}

static int send_line(conn_t *c, const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 2, fmt, ap);
  va_end(ap);
  line[n++] = '\r';
  line[n++] = '\n';
  return c_write(c, line, n);
}

/* Connects, logs in anonymously and sets TYPE I; with tls: AUTH TLS, PBSZ 0, PROT P first. */
static int ftp_open(conn_t *c, const char *host, int port, int tls) {
  char r[4096];
  memset(c, 0, sizeof *c);
  c->fd = tcp_connect(host, port);
  if (c->fd < 0) return -1;
  if (read_reply(c, r, sizeof r) != 220) return -2;
  if (tls) {
    if (command(c, r, sizeof r, "AUTH TLS") != 234) return -3;
    c->len = c->pos = 0;
    /* ftp-srv wraps its socket in TLS only after its 234 is written, in a later tick: a ClientHello
       sent at once can reach its command parser instead. Login is outside every timing. */
    usleep(50000);
    if (tls_start(c) < 0) return -4;
    if (command(c, r, sizeof r, "PBSZ 0") != 200) return -5;
    if (command(c, r, sizeof r, "PROT P") != 200) return -6;
  }
  int code = command(c, r, sizeof r, "USER anonymous");
  if (code == 331) code = command(c, r, sizeof r, "PASS bench@example.com");
  if (code != 230) return -7;
  if (command(c, r, sizeof r, "TYPE I") != 200) return -8;
  return 0;
}

/* PASV and a connected data socket (TLS is started later, after the transfer command). */
static int ftp_pasv(conn_t *c, conn_t *data) {
  char r[4096];
  memset(data, 0, sizeof *data);
  data->fd = -1;
  if (command(c, r, sizeof r, "PASV") != 227) return -1;
  char *p = strchr(r, '(');
  int h1, h2, h3, h4, p1, p2;
  if (!p || sscanf(p + 1, "%d,%d,%d,%d,%d,%d", &h1, &h2, &h3, &h4, &p1, &p2) != 6) return -1;
  char host[64];
  snprintf(host, sizeof host, "%d.%d.%d.%d", h1, h2, h3, h4);
  data->fd = tcp_connect(host, p1 * 256 + p2);
  return data->fd < 0 ? -1 : 0;
}

/* Reads a data connection to EOF into a scratch buffer; returns the byte count (-1 on error). */
static long long drain(conn_t *data, char *buf, size_t cap) {
  long long total = 0;
  for (;;) {
    long r = c_read(data, buf, cap);
    if (r == 0) return total;
    if (r < 0) {
      /* Some servers close without TLS close_notify: that is still the end of the data. */
      return data->ssl ? total : -1;
    }
    total += r;
  }
}

/* RETR over an open session; returns bytes or a negative error. */
static long long ftp_retr(conn_t *c, const char *path, int tls, char *buf, size_t cap) {
  char r[4096];
  conn_t data;
  if (ftp_pasv(c, &data) < 0) return -10;
  if (send_line(c, "RETR %s", path) < 0) { c_close(&data); return -11; }
  /* Start TLS before reading 150: some servers (ftp-srv) send 150 only after the handshake. */
  if (tls && tls_start(&data) < 0) { c_close(&data); return -12; }
  int code = read_reply(c, r, sizeof r);
  if (code != 150 && code != 125) { c_close(&data); return -13; }
  long long got = drain(&data, buf, cap);
  c_close(&data);
  if (read_reply(c, r, sizeof r) != 226) return -14;
  return got;
}

static char *alloc_buf(void) {
  char *b = malloc(BIG_BUF);
  if (!b) die("out of memory");
  for (int i = 0; i < BIG_BUF; i++) b[i] = (char)(i * 131 + 7);
  return b;
}

static void print_tls_fields(void) {
  if (tls_cipher[0]) printf(",\"cipher\":\"%s\",\"tlsVersion\":\"%s\"", tls_cipher, tls_version);
}

/* ---- modes ---- */

static int mode_retr(char **argv) {
  const char *host = argv[0];
  int port = atoi(argv[1]), tls = atoi(argv[4]);
  long long expect = atoll(argv[3]);
  char *buf = alloc_buf();
  conn_t c;
  int rc = ftp_open(&c, host, port, tls);
  if (rc < 0) die("login failed (%d)", rc);
  double t0 = now();
  long long got = ftp_retr(&c, argv[2], tls, buf, BIG_BUF);
  double t1 = now();
  if (got < 0) die("RETR failed (%lld)", got);
  if (got != expect) die("RETR got %lld bytes, expected %lld", got, expect);
  command(&c, NULL, 0, "QUIT");
  c_close(&c);
  printf("{\"bytes\":%lld,\"seconds\":%.6f", got, t1 - t0);
  print_tls_fields();
  printf("}\n");
  return 0;
}

/* Sends everything, then half-closes and waits for the peer to close (so its writes are done). */
static int send_all_and_wait(conn_t *data, long long bytes, char *buf) {
  long long left = bytes;
  while (left > 0) {
    size_t n = left > BIG_BUF ? BIG_BUF : (size_t)left;
    if (c_write(data, buf, n) < 0) return -1;
    left -= n;
  }
  if (data->ssl) SSL_shutdown(data->ssl);
  shutdown(data->fd, SHUT_WR);
  char scratch[4096];
  for (;;) {
    long r = recv(data->fd, scratch, sizeof scratch, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
  }
  return 0;
}

static int mode_stor(char **argv) {
  const char *host = argv[0];
  int port = atoi(argv[1]), tls = atoi(argv[4]);
  long long bytes = atoll(argv[3]);
  char *buf = alloc_buf();
  char r[4096];
  conn_t c, data;
  int rc = ftp_open(&c, host, port, tls);
  if (rc < 0) die("login failed (%d)", rc);
  if (ftp_pasv(&c, &data) < 0) die("PASV failed");
  double t0 = now();
  if (send_line(&c, "STOR %s", argv[2]) < 0) die("STOR send failed");
  if (tls && tls_start(&data) < 0) die("data TLS failed");
  int code = read_reply(&c, r, sizeof r);
  if (code != 150 && code != 125) die("STOR refused: %s", r);
  if (send_all_and_wait(&data, bytes, buf) < 0) die("STOR write failed");
  c_close(&data);
  code = read_reply(&c, r, sizeof r);
  double t1 = now();
  if (code != 226) die("STOR ended with: %s", r);
  command(&c, NULL, 0, "QUIT");
  c_close(&c);
  printf("{\"bytes\":%lld,\"seconds\":%.6f", bytes, t1 - t0);
  print_tls_fields();
  printf("}\n");
  return 0;
}

static int mode_many(char **argv) {
  const char *host = argv[0];
  int port = atoi(argv[1]), count = atoi(argv[3]);
  char *buf = alloc_buf();
  conn_t c;
  int rc = ftp_open(&c, host, port, 0);
  if (rc < 0) die("login failed (%d)", rc);
  long long bytes = 0;
  int errors = 0;
  double t0 = now();
  for (int i = 0; i < count; i++) {
    char path[512];
    snprintf(path, sizeof path, "%s/f%05d", argv[2], i);
    long long got = ftp_retr(&c, path, 0, buf, BIG_BUF);
    if (got < 0) {
      errors++;
      if (got <= -13 || c.fd < 0) break; /* the session is out of step: stop */
    } else {
      bytes += got;
    }
  }
  double t1 = now();
  command(&c, NULL, 0, "QUIT");
  c_close(&c);
  printf("{\"files\":%d,\"bytes\":%lld,\"errors\":%d,\"seconds\":%.6f}\n", count, bytes, errors, t1 - t0);
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int mode_list(char **argv) {
  const char *host = argv[0];
  int port = atoi(argv[1]), reps = atoi(argv[4]);
  const char *verb = argv[3];
  char *buf = alloc_buf();
  char r[4096];
  conn_t c, data;
  int rc = ftp_open(&c, host, port, 0);
  if (rc < 0) die("login failed (%d)", rc);
  double times[64];
  long long bytes = 0;
  if (reps > 64) reps = 64;
  for (int i = 0; i < reps; i++) {
    if (ftp_pasv(&c, &data) < 0) die("PASV failed");
    double t0 = now();
    if (send_line(&c, "%s %s", verb, argv[2]) < 0) die("send failed");
    int code = read_reply(&c, r, sizeof r);
    if (code != 150 && code != 125) die("%s refused: %s", verb, r);
    long long got = drain(&data, buf, BIG_BUF);
    c_close(&data);
    code = read_reply(&c, r, sizeof r);
    times[i] = now() - t0;
    if (got < 0 || code != 226) die("%s failed: %s", verb, r);
    bytes = got;
  }
  command(&c, NULL, 0, "QUIT");
  c_close(&c);
  qsort(times, reps, sizeof times[0], cmp_double);
  printf("{\"bytes\":%lld,\"reps\":%d,\"medianSeconds\":%.6f,\"minSeconds\":%.6f}\n", bytes, reps, times[reps / 2], times[0]);
  return 0;
}

/* ---- many sessions at once ---- */
typedef struct {
  const char *host, *path;
  int port;
  long long expect;
  pthread_barrier_t *ready, *go, *done;
  long long bytes;
  int error;
  double finished;
} job_t;

static void *conc_worker(void *arg) {
  job_t *j = arg;
  conn_t c;
  char *buf = malloc(256 * 1024);
  int rc = ftp_open(&c, j->host, j->port, 0);
  pthread_barrier_wait(j->ready);
  pthread_barrier_wait(j->go);
  if (rc < 0 || !buf) {
    j->error = rc < 0 ? rc : -99;
  } else {
    long long got = ftp_retr(&c, j->path, 0, buf, 256 * 1024);
    j->finished = now();
    if (got != j->expect) j->error = got < 0 ? (int)got : -20;
    else j->bytes = got;
    command(&c, NULL, 0, "QUIT");
  }
  c_close(&c);
  free(buf);
  return NULL;
}

static volatile int pinging = 1;
typedef struct {
  const char *host;
  int port;
  double rtt[200000];
  int n, error;
} ping_t;

/* NOOP round trips on a separate logged-in session while the transfers run (control latency). */
static void *ping_worker(void *arg) {
  ping_t *p = arg;
  conn_t c;
  if (ftp_open(&c, p->host, p->port, 0) < 0) { p->error = 1; return NULL; }
  while (pinging && p->n < 200000) {
    double t0 = now();
    if (command(&c, NULL, 0, "NOOP") != 200) { p->error = 1; break; }
    p->rtt[p->n++] = now() - t0;
    usleep(2000);
  }
  command(&c, NULL, 0, "QUIT");
  c_close(&c);
  return NULL;
}

static int mode_conc(char **argv) {
  const char *host = argv[0];
  int port = atoi(argv[1]), n = atoi(argv[4]);
  long long expect = atoll(argv[3]);
  pthread_barrier_t ready, go;
  pthread_barrier_init(&ready, NULL, n + 1);
  pthread_barrier_init(&go, NULL, n + 1);
  job_t *jobs = calloc(n, sizeof *jobs);
  pthread_t *threads = calloc(n, sizeof *threads);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  for (int i = 0; i < n; i++) {
    jobs[i] = (job_t){.host = host, .path = argv[2], .port = port, .expect = expect, .ready = &ready, .go = &go};
    if (pthread_create(&threads[i], &attr, conc_worker, &jobs[i]) != 0) die("pthread_create failed");
  }
  pthread_barrier_wait(&ready);
  ping_t *ping = calloc(1, sizeof *ping);
  ping->host = host;
  ping->port = port;
  pthread_t pinger;
  pthread_create(&pinger, &attr, ping_worker, ping);
  usleep(50000);
  double t0 = now();
  pthread_barrier_wait(&go);
  long long bytes = 0;
  int errors = 0, firstError = 0;
  double last = t0;
  for (int i = 0; i < n; i++) {
    pthread_join(threads[i], NULL);
    bytes += jobs[i].bytes;
    if (jobs[i].error) { errors++; if (!firstError) firstError = jobs[i].error; }
    if (jobs[i].finished > last) last = jobs[i].finished;
  }
  pinging = 0;
  pthread_join(pinger, NULL);
  qsort(ping->rtt, ping->n, sizeof(double), cmp_double);
  double p99 = ping->n ? ping->rtt[(int)(ping->n * 0.99)] : -1;
  double p50 = ping->n ? ping->rtt[ping->n / 2] : -1;
  printf("{\"sessions\":%d,\"bytes\":%lld,\"errors\":%d,\"firstError\":%d,\"seconds\":%.6f,"
         "\"noopCount\":%d,\"noopP50Ms\":%.3f,\"noopP99Ms\":%.3f,\"noopError\":%d}\n",
         n, bytes, errors, firstError, last - t0, ping->n, p50 * 1000, p99 * 1000, ping->error);
  return 0;
}

typedef struct {
  const char *host;
  int port;
  pthread_barrier_t *go, *done;
  double loggedIn;
  int error;
} login_t;

static void *login_worker(void *arg) {
  login_t *l = arg;
  char r[4096];
  conn_t c;
  memset(&c, 0, sizeof c);
  pthread_barrier_wait(l->go);
  c.fd = tcp_connect(l->host, l->port);
  if (c.fd < 0) l->error = 1;
  else if (read_reply(&c, r, sizeof r) != 220) l->error = 2;
  else {
    int code = command(&c, r, sizeof r, "USER anonymous");
    if (code == 331) code = command(&c, r, sizeof r, "PASS bench@example.com");
    if (code != 230) l->error = 3;
    else l->loggedIn = now();
  }
  pthread_barrier_wait(l->done); /* everybody stays logged in until the last one is */
  if (c.fd >= 0) {
    command(&c, NULL, 0, "QUIT");
    c_close(&c);
  }
  return NULL;
}

static int mode_logins(char **argv) {
  const char *host = argv[0];
  int port = atoi(argv[1]), n = atoi(argv[2]);
  pthread_barrier_t go, done;
  pthread_barrier_init(&go, NULL, n + 1);
  pthread_barrier_init(&done, NULL, n);
  login_t *ls = calloc(n, sizeof *ls);
  pthread_t *threads = calloc(n, sizeof *threads);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 128 * 1024);
  for (int i = 0; i < n; i++) {
    ls[i] = (login_t){.host = host, .port = port, .go = &go, .done = &done};
    if (pthread_create(&threads[i], &attr, login_worker, &ls[i]) != 0) die("pthread_create failed");
  }
  usleep(100000); /* every thread is parked on the barrier */
  double t0 = now();
  pthread_barrier_wait(&go);
  int errors = 0;
  double last = t0;
  for (int i = 0; i < n; i++) {
    pthread_join(threads[i], NULL);
    if (ls[i].error) errors++;
    else if (ls[i].loggedIn > last) last = ls[i].loggedIn;
  }
  printf("{\"clients\":%d,\"errors\":%d,\"seconds\":%.6f}\n", n, errors, last - t0);
  return 0;
}

static int mode_idle(char **argv) {
  const char *host = argv[0];
  int port = atoi(argv[1]), n = atoi(argv[2]);
  conn_t *cs = calloc(n, sizeof *cs);
  int errors = 0;
  for (int i = 0; i < n; i++) {
    if (ftp_open(&cs[i], host, port, 0) < 0) { errors++; c_close(&cs[i]); cs[i].fd = -1; }
  }
  printf("{\"ready\":%d,\"errors\":%d}\n", n - errors, errors);
  fflush(stdout);
  char line[64];
  if (!fgets(line, sizeof line, stdin)) { /* parent gone: just close */ }
  for (int i = 0; i < n; i++) {
    if (cs[i].fd >= 0) {
      send_line(&cs[i], "QUIT");
      c_close(&cs[i]);
    }
  }
  printf("{\"closed\":true}\n");
  return 0;
}

/* ---- raw sockets for the physical limits ---- */
static int mode_rawserve(char **argv) {
  const char *how = argv[0];
  int tls = strncmp(how, "tls-", 4) == 0;
  int copying = strcmp(how, "copy") == 0;
  int sending = copying || strcmp(how + (tls ? 4 : 0), "send") == 0;
  SSL_CTX *server_ctx = NULL;
  if (tls) {
    if (!argv[2] || !argv[3]) die("tls modes need CERT KEY");
    server_ctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_ctrl(server_ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL);
    if (SSL_CTX_use_certificate_chain_file(server_ctx, argv[2]) != 1 ||
        SSL_CTX_use_PrivateKey_file(server_ctx, argv[3], SSL_FILETYPE_PEM) != 1)
      die("certificate or key unusable");
  }
  int ls = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in sa = {0};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 4) < 0) die("listen failed");
  socklen_t len = sizeof sa;
  getsockname(ls, (struct sockaddr *)&sa, &len);
  printf("{\"port\":%d}\n", ntohs(sa.sin_port));
  fflush(stdout);
  conn_t c;
  memset(&c, 0, sizeof c);
  c.fd = accept(ls, NULL, NULL);
  if (c.fd < 0) die("accept failed");
  set_timeouts(c.fd);
  close(ls);
  if (tls) {
    c.ssl = SSL_new(server_ctx);
    SSL_set_fd(c.ssl, c.fd);
    if (SSL_accept(c.ssl) != 1) die("TLS accept failed");
  }
  char *buf = malloc(BIG_BUF);
  if (sending) {
    int file = open(argv[1], O_RDONLY);
    if (file < 0) die("open failed");
    if (!tls && !copying) {
      /* sendfile: what vsftpd and pyftpdlib use for plain RETR; the cheapest file → socket path. */
      struct stat st;
      fstat(file, &st);
      off_t off = 0;
      while (off < st.st_size) {
        ssize_t w = sendfile(c.fd, file, &off, st.st_size - off);
        if (w <= 0 && errno != EINTR) die("sendfile failed");
      }
    } else {
      for (;;) {
        long r = read(file, buf, BIG_BUF);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        if (c_write(&c, buf, r) < 0) die("write failed");
      }
      if (tls) SSL_shutdown(c.ssl);
    }
    close(file);
    /* Wait for the client to close so nothing unsent is reset away. */
    shutdown(c.fd, SHUT_WR);
    char scratch[4096];
    while (recv(c.fd, scratch, sizeof scratch, 0) > 0) {}
  } else {
    int file = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (file < 0) die("open failed");
    for (;;) {
      long r = c_read(&c, buf, BIG_BUF);
      if (r <= 0) break;
      for (long off = 0; off < r;) {
        long w = write(file, buf + off, r - off);
        if (w <= 0) die("write failed");
        off += w;
      }
    }
    close(file);
  }
  c_close(&c);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("{\"cpuSeconds\":%.6f}\n", ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
  return 0;
}

static int mode_rawrecv(char **argv) {
  int tls = atoi(argv[3]);
  long long expect = atoll(argv[2]);
  char *buf = alloc_buf();
  conn_t c;
  memset(&c, 0, sizeof c);
  double t0 = now();
  c.fd = tcp_connect(argv[0], atoi(argv[1]));
  if (c.fd < 0) die("connect failed");
  if (tls && tls_start(&c) < 0) die("TLS failed");
  long long got = drain(&c, buf, BIG_BUF);
  double t1 = now();
  c_close(&c);
  if (got != expect) die("got %lld bytes, expected %lld", got, expect);
  printf("{\"bytes\":%lld,\"seconds\":%.6f", got, t1 - t0);
  print_tls_fields();
  printf("}\n");
  return 0;
}

static int mode_rawsend(char **argv) {
  int tls = atoi(argv[3]);
  long long bytes = atoll(argv[2]);
  char *buf = alloc_buf();
  conn_t c;
  memset(&c, 0, sizeof c);
  double t0 = now();
  c.fd = tcp_connect(argv[0], atoi(argv[1]));
  if (c.fd < 0) die("connect failed");
  if (tls && tls_start(&c) < 0) die("TLS failed");
  if (send_all_and_wait(&c, bytes, buf) < 0) die("write failed");
  double t1 = now();
  c_close(&c);
  printf("{\"bytes\":%lld,\"seconds\":%.6f", bytes, t1 - t0);
  print_tls_fields();
  printf("}\n");
  return 0;
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  const char *t = getenv("FTPC_IO_TIMEOUT");
  if (t) io_timeout_s = atoi(t);
  const char *m = getenv("FTPC_MAX_SECONDS");
  alarm(m ? atoi(m) : 900);
  if (argc < 2) die("usage: see the comment at the top of ftpc.c");
  const char *mode = argv[1];
  struct { const char *name; int args; int (*fn)(char **); } modes[] = {
    {"retr", 5, mode_retr},   {"stor", 5, mode_stor},       {"many", 4, mode_many},
    {"list", 5, mode_list},   {"conc", 5, mode_conc},       {"logins", 3, mode_logins},
    {"idle", 3, mode_idle},   {"rawserve", 2, mode_rawserve}, {"rawrecv", 4, mode_rawrecv},
    {"rawsend", 4, mode_rawsend},
  };
  for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
    if (strcmp(mode, modes[i].name) == 0) {
      if (argc - 2 < modes[i].args) die("%s needs %d arguments", mode, modes[i].args);
      int rc = modes[i].fn(argv + 2);
      fflush(stdout);
      return rc;
    }
  }
  die("unknown mode %s", mode);
  return 1;
}
