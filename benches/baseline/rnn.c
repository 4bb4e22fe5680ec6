/*
 * The course's training iteration written by hand in C, as a baseline for tinyrnn's benchmark:
 * 2-16-1, sigmoid hidden layer and output, 8 steps, forward + BPTT + SGD, float, the true
 * output derivative y(1 - y), no biases, no clipping, and none of tinyrnn's checks (a
 * non-finite loss, gradient or weight is not looked for). The same work as
 * `cargo bench --bench train`'s "from the initial weights": normal(0, 1) initial weights, 256
 * random pairs a, b < 128 taken in turn, and a restart from the initial weights every 1,000
 * iterations.
 *
 *   gcc -O3 -o target/rnn-baseline benches/baseline/rnn.c -lm && target/rnn-baseline
 *
 * (scripts/baselines.sh does that.) Prints the nanoseconds per iteration of each of five timed
 * runs of 1,000,000 iterations, and a checksum of the weights so that the work is not optimised
 * away. With the argument `check` it shows instead that it computes the right thing: it trains
 * 10,000 iterations on fresh random pairs and prints the exact accuracy over all 16,384.
 *
 * Other shapes: built with `-DH=… -DL=…`, and run as `rnn-baseline shape N`, it times N
 * training iterations and N inference passes (L steps from a zero state) on 256 sequences of
 * random bits, three times each, and prints the lowest of each in nanoseconds:
 * `shape H L train NS infer NS` (what `cargo bench --bench shapes` reads, beside tinyrnn's).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define I 2
#define O 1
#ifndef H /* the shapes' benchmark (scripts/shapes.sh) builds it with -DH=… -DL=… */
#define H 16
#endif
#ifndef L
#define L 8
#endif

typedef struct {
    float w_in[I][H];
    float w[H][H];
    float w_out[H][O];
} Model;

static float sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

/* One step forward: the hidden state z from the input x and the previous state z_prev, and
 * the outputs y. */
static void forward_step(const Model *m, const float x[I], const float z_prev[H], float z[H],
                         float y[O]) {
    for (int j = 0; j < H; j++) {
        float u = 0.0f;
        for (int i = 0; i < I; i++) u += x[i] * m->w_in[i][j];
        for (int k = 0; k < H; k++) u += z_prev[k] * m->w[k][j];
        z[j] = sigmoid(u);
    }
    for (int o = 0; o < O; o++) {
        float v = 0.0f;
        for (int j = 0; j < H; j++) v += z[j] * m->w_out[j][o];
        y[o] = sigmoid(v);
    }
}

/* One training iteration; returns the loss before the update. */
static float train_step(Model *m, const float xs[L][I], const float ds[L][O], float lr) {
    float z[L + 1][H]; /* z[t + 1] is the hidden state after step t; z[0] = 0 */
    float y[L][O];
    float loss = 0.0f;
    memset(z[0], 0, sizeof z[0]);
    for (int t = 0; t < L; t++) {
        forward_step(m, xs[t], z[t], z[t + 1], y[t]);
        for (int o = 0; o < O; o++) {
            float e = ds[t][o] - y[t][o];
            loss += e * e / (2.0f * O);
        }
    }
    float g_in[I][H] = {{0}}, g_w[H][H] = {{0}}, g_out[H][O] = {{0}};
    float carry[H] = {0}; /* delta_{t+1} . W^T */
    for (int t = L - 1; t >= 0; t--) {
        float d_out[O], delta[H];
        for (int o = 0; o < O; o++)
            d_out[o] = (y[t][o] - ds[t][o]) / O * y[t][o] * (1.0f - y[t][o]);
        for (int j = 0; j < H; j++) {
            float s = carry[j];
            for (int o = 0; o < O; o++) s += d_out[o] * m->w_out[j][o];
            delta[j] = s * z[t + 1][j] * (1.0f - z[t + 1][j]);
        }
        for (int j = 0; j < H; j++)
            for (int o = 0; o < O; o++) g_out[j][o] += z[t + 1][j] * d_out[o];
        for (int i = 0; i < I; i++)
            for (int j = 0; j < H; j++) g_in[i][j] += xs[t][i] * delta[j];
        for (int k = 0; k < H; k++)
            for (int j = 0; j < H; j++) g_w[k][j] += z[t][k] * delta[j];
        for (int k = 0; k < H; k++) {
            float s = 0.0f;
            for (int j = 0; j < H; j++) s += m->w[k][j] * delta[j];
            carry[k] = s;
        }
    }
    for (int i = 0; i < I; i++)
        for (int j = 0; j < H; j++) m->w_in[i][j] -= lr * g_in[i][j];
    for (int k = 0; k < H; k++)
        for (int j = 0; j < H; j++) m->w[k][j] -= lr * g_w[k][j];
    for (int j = 0; j < H; j++)
        for (int o = 0; o < O; o++) m->w_out[j][o] -= lr * g_out[j][o];
    return loss;
}

static uint64_t state = 88172645463325252ull;
static uint32_t next_u32(void) { /* xorshift64 */
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (uint32_t)(state >> 32);
}

/* A normal number by the polar Box-Muller method. */
static float randn(void) {
    for (;;) {
        float u = 2.0f * (next_u32() >> 8) / 16777216.0f - 1.0f;
        float v = 2.0f * (next_u32() >> 8) / 16777216.0f - 1.0f;
        float s = u * u + v * v;
        if (s > 0.0f && s < 1.0f) return u * sqrtf(-2.0f * logf(s) / s);
    }
}

/* The output bits of the model for a + b, as a number (y > 0.5 is a 1). */
static uint32_t add(const Model *m, uint32_t a, uint32_t b) {
    float z[H] = {0}, zn[H], y[O];
    uint32_t out = 0;
    for (int t = 0; t < L; t++) {
        float x[I] = {(float)(a >> t & 1), (float)(b >> t & 1)};
        forward_step(m, x, z, zn, y);
        memcpy(z, zn, sizeof z);
        if (y[0] > 0.5f) out |= 1u << t;
    }
    return out;
}

static void sample(float xs[L][I], float ds[L][O]) {
    uint32_t a = next_u32() >> 25, b = next_u32() >> 25, c = a + b;
    for (int t = 0; t < L; t++) {
        xs[t][0] = (float)(a >> t & 1);
        xs[t][1] = (float)(b >> t & 1);
        ds[t][0] = (float)(c >> t & 1);
    }
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The outputs of an inference pass over xs, summed (so that the work is not optimised away). */
static float infer(const Model *m, const float xs[L][I]) {
    float z[H] = {0}, zn[H], y[O], sum = 0.0f;
    for (int t = 0; t < L; t++) {
        forward_step(m, xs[t], z, zn, y);
        memcpy(z, zn, sizeof z);
        sum += y[0];
    }
    return sum;
}

/* `shape N`: the lowest of three timings of N training iterations, and of N inference passes,
 * on 256 sequences of random bits, in nanoseconds per iteration. */
static int shape(const Model *init, long n) {
    static float xs[256][L][I], ds[256][L][O];
    for (int s = 0; s < 256; s++)
        for (int t = 0; t < L; t++) {
            uint32_t r = next_u32();
            xs[s][t][0] = (float)(r >> 31);
            xs[s][t][1] = (float)(r >> 30 & 1);
            ds[s][t][0] = (float)(r >> 29 & 1);
        }
    static Model m;
    double best_train = 1e300, best_infer = 1e300;
    float total = 0.0f;
    for (int run = 0; run < 3; run++) {
        double t0 = now();
        for (long k = 0; k < n; k++) {
            if (k % 1000 == 0) m = *init;
            total += train_step(&m, xs[k % 256], ds[k % 256], 0.1f);
        }
        double t1 = now();
        for (long k = 0; k < n; k++) total += infer(&m, xs[k % 256]);
        double t2 = now();
        if (t1 - t0 < best_train) best_train = t1 - t0;
        if (t2 - t1 < best_infer) best_infer = t2 - t1;
    }
    printf("shape %d %d train %.1f infer %.1f (sum %g)\n", H, L, best_train / n * 1e9,
           best_infer / n * 1e9, total);
    return 0;
}

int main(int argc, char **argv) {
    static Model init, m;
    float *p = &init.w_in[0][0];
    for (size_t k = 0; k < sizeof init / sizeof(float); k++) p[k] = randn();
    if (argc > 2 && strcmp(argv[1], "shape") == 0) return shape(&init, atol(argv[2]));
    if (argc > 1 && strcmp(argv[1], "check") == 0) {
        float x[L][I], d[L][O];
        m = init;
        for (int k = 0; k < 10000; k++) {
            sample(x, d);
            train_step(&m, x, d, 0.1f);
        }
        int right = 0;
        for (uint32_t a = 0; a < 128; a++)
            for (uint32_t b = 0; b < 128; b++) right += add(&m, a, b) == a + b;
        printf("exact accuracy after 10000 iterations: %d/16384 pairs\n", right);
        return right == 16384 ? 0 : 1;
    }
    static float xs[256][L][I], ds[256][L][O];
    for (int s = 0; s < 256; s++) sample(xs[s], ds[s]);
    const long n = 1000000;
    float total = 0.0f;
    for (int run = 0; run < 6; run++) { /* the first run warms up and is not printed */
        double t0 = now();
        for (long k = 0; k < n; k++) {
            if (k % 1000 == 0) m = init;
            total += train_step(&m, xs[k % 256], ds[k % 256], 0.1f);
        }
        double ns = (now() - t0) / n * 1e9;
        if (run > 0) printf("run %d: %.0f ns per iteration\n", run, ns);
    }
    uint32_t h = 2166136261u; /* FNV-1a over the final weights' bytes */
    const unsigned char *b = (const unsigned char *)&m;
    for (size_t k = 0; k < sizeof m; k++) h = (h ^ b[k]) * 16777619u;
    printf("checksum 0x%08x, loss sum %g\n", h, total);
    return 0;
}
