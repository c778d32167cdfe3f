/*
 * fakehw: a test-only ALSA ioplug PCM that behaves like a simple DAC.
 *
 * Playback only. It accepts exactly the sample rates, formats and channel range its
 * configuration lists, takes the audio written to it and throws it away at the pace of
 * the sample clock (a timerfd wakes the application once per period), so players block,
 * poll and drain as they would on hardware.
 *
 * Configuration (every field optional):
 *
 *   pcm.NAME {
 *       type fakehw
 *       rates [ 44100 48000 ]           # discrete rates; or:
 *       rate_min 8000 rate_max 192000   # a continuous range (USB "continuous" clocks)
 *       formats [ "S16_LE" "S24_3LE" ]  # names as snd_pcm_format_value() spells them
 *       channels_min 2
 *       channels_max 8
 *       lock "/tmp/x/NAME.lock"         # one opener at a time, across processes
 *       hang_on_open true               # TEST KNOB: open never returns
 *       crash_on_open true              # TEST KNOB: open aborts the process (SIGABRT)
 *       open_error 13                   # TEST KNOB: open fails with -errno (13 = EACCES)
 *       open_log "/tmp/x/opens"         # TEST KNOB: append "PID MONOTONIC-SECONDS" per open
 *       open_delay 50                   # TEST KNOB: each open takes this many milliseconds
 *       hint { show on description "..." }
 *   }
 *
 * The accepted set is always a product: rates x formats x channels. An ioplug can only
 * constrain each hw parameter on its own (snd_pcm_ioplug_set_param_list/_minmax); it has
 * no hook into hw_refine where rules linking two parameters would live. A device whose
 * real set is not a product (8 channels only up to 96 kHz, ...) is emulated as several
 * PCMs, one per product part.
 *
 * `lock` makes the device exclusive the way a kernel PCM is: the first open takes an
 * flock on that path and keeps it until close; a second open, from any process, fails
 * with EBUSY in non-blocking mode and waits for the holder in blocking mode.
 *
 * Build: gcc -O2 -Wall -DPIC -shared -fPIC -o libasound_module_pcm_fakehw.so fakehw.c -lasound
 * (-DPIC matters: without it the plugin references snd_dlsym_start and fails to load.)
 */
#include <alsa/asoundlib.h>
#include <alsa/pcm_external.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_LIST 64

struct fakehw {
    snd_pcm_ioplug_t io;
    int timer_fd;
    int lock_fd;
    int running;
    struct timespec clock_origin;
    snd_pcm_uframes_t clock_frames; /* frames the sample clock had consumed at origin */
    snd_pcm_uframes_t queued;       /* frames the application has handed over */
    snd_pcm_uframes_t consumed;     /* frames played out (never more than queued) */
};

static double seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Wake the application once per period while running; disarm otherwise. */
static void set_timer(struct fakehw *hw, int on)
{
    struct itimerspec spec;
    memset(&spec, 0, sizeof spec);
    if (on && hw->io.rate) {
        long long period_ns = (long long)hw->io.period_size * 1000000000LL / hw->io.rate;
        if (period_ns <= 0)
            period_ns = 1000000;
        spec.it_interval.tv_sec = period_ns / 1000000000LL;
        spec.it_interval.tv_nsec = period_ns % 1000000000LL;
        spec.it_value.tv_nsec = 1000; /* first wake-up at once: the buffer is writable */
    }
    timerfd_settime(hw->timer_fd, 0, &spec, NULL);
}

static void advance_clock(struct fakehw *hw)
{
    snd_pcm_uframes_t total;
    if (!hw->running)
        return;
    total = hw->clock_frames + (snd_pcm_uframes_t)(seconds_since(&hw->clock_origin) * hw->io.rate);
    if (total > hw->queued)
        total = hw->queued; /* an underrun stalls the clock instead of raising xrun */
    hw->consumed = total;
}

static int fakehw_prepare(snd_pcm_ioplug_t *io)
{
    struct fakehw *hw = io->private_data;
    hw->running = 0;
    hw->queued = hw->consumed = hw->clock_frames = 0;
    set_timer(hw, 1);
    return 0;
}

static int fakehw_start(snd_pcm_ioplug_t *io)
{
    struct fakehw *hw = io->private_data;
    clock_gettime(CLOCK_MONOTONIC, &hw->clock_origin);
    hw->clock_frames = hw->consumed;
    hw->running = 1;
    set_timer(hw, 1);
    return 0;
}

static int fakehw_stop(snd_pcm_ioplug_t *io)
{
    struct fakehw *hw = io->private_data;
    advance_clock(hw);
    hw->running = 0;
    set_timer(hw, 0);
    return 0;
}

static snd_pcm_sframes_t fakehw_pointer(snd_pcm_ioplug_t *io)
{
    struct fakehw *hw = io->private_data;
    advance_clock(hw);
    return (snd_pcm_sframes_t)(hw->consumed % io->buffer_size);
}

static snd_pcm_sframes_t fakehw_transfer(snd_pcm_ioplug_t *io, const snd_pcm_channel_area_t *areas,
                                         snd_pcm_uframes_t offset, snd_pcm_uframes_t size)
{
    struct fakehw *hw = io->private_data;
    (void)areas;
    (void)offset;
    hw->queued += size; /* the samples go nowhere */
    return (snd_pcm_sframes_t)size;
}

static int fakehw_poll_revents(snd_pcm_ioplug_t *io, struct pollfd *pfd, unsigned int nfds,
                               unsigned short *revents)
{
    struct fakehw *hw = io->private_data;
    uint64_t expirations;
    (void)pfd;
    (void)nfds;
    if (read(hw->timer_fd, &expirations, sizeof expirations) < 0) {
        /* EAGAIN: woken for another reason; report writable all the same */
    }
    *revents = POLLOUT;
    return 0;
}

static int fakehw_close(snd_pcm_ioplug_t *io)
{
    struct fakehw *hw = io->private_data;
    close(hw->timer_fd);
    if (hw->lock_fd >= 0)
        close(hw->lock_fd); /* releases the flock */
    free(hw);
    return 0;
}

static const snd_pcm_ioplug_callback_t fakehw_callbacks = {
    .start = fakehw_start,
    .stop = fakehw_stop,
    .pointer = fakehw_pointer,
    .transfer = fakehw_transfer,
    .close = fakehw_close,
    .prepare = fakehw_prepare,
    .poll_revents = fakehw_poll_revents,
};

static int read_list(snd_config_t *node, int formats, unsigned int *out, unsigned int *count)
{
    snd_config_iterator_t i, next;
    snd_config_for_each(i, next, node) {
        snd_config_t *entry = snd_config_iterator_entry(i);
        if (*count >= MAX_LIST) {
            SNDERR("fakehw: more than %d entries", MAX_LIST);
            return -EINVAL;
        }
        if (formats) {
            const char *text;
            int value;
            if (snd_config_get_string(entry, &text) < 0) {
                SNDERR("fakehw: formats must be strings");
                return -EINVAL;
            }
            value = snd_pcm_format_value(text);
            if (value < 0) {
                SNDERR("fakehw: unknown format %s", text);
                return -EINVAL;
            }
            out[(*count)++] = (unsigned int)value;
        } else {
            long value;
            if (snd_config_get_integer(entry, &value) < 0 || value <= 0) {
                SNDERR("fakehw: rates must be positive integers");
                return -EINVAL;
            }
            out[(*count)++] = (unsigned int)value;
        }
    }
    return 0;
}

static int read_integer(snd_config_t *node, const char *id, long *out)
{
    if (snd_config_get_integer(node, out) < 0) {
        SNDERR("fakehw: %s must be an integer", id);
        return -EINVAL;
    }
    return 0;
}

/* Append "PID SECONDS.NANOSECONDS\n" (CLOCK_MONOTONIC) to `path`: who opened, and when
 * (after open_delay). */
static int log_open(const char *path)
{
    char line[64];
    struct timespec now;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644), len;
    if (fd < 0)
        return -errno;
    clock_gettime(CLOCK_MONOTONIC, &now);
    len = snprintf(line, sizeof line, "%d %ld.%09ld\n", (int)getpid(), (long)now.tv_sec,
                   now.tv_nsec);
    if (write(fd, line, (size_t)len) != len) {
        close(fd);
        return -EIO;
    }
    close(fd);
    return 0;
}

/* Take the device for this process; EBUSY if another open holds it. */
static int take_lock(const char *path, int mode)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    while (flock(fd, LOCK_EX | ((mode & SND_PCM_NONBLOCK) ? LOCK_NB : 0)) < 0) {
        int err = errno;
        if (err == EINTR)
            continue;
        close(fd);
        return err == EWOULDBLOCK ? -EBUSY : -err;
    }
    return fd;
}

SND_PCM_PLUGIN_DEFINE_FUNC(fakehw)
{
    snd_config_iterator_t i, next;
    unsigned int rates[MAX_LIST], formats[MAX_LIST], nrates = 0, nformats = 0;
    long channels_min = 1, channels_max = 2, rate_min = 0, rate_max = 0, open_error = 0;
    long open_delay = 0;
    const char *lock_path = NULL, *open_log = NULL;
    int hang = 0, crash = 0, err;
    struct fakehw *hw;
    static const unsigned int access_list[] = {
        SND_PCM_ACCESS_RW_INTERLEAVED,
        SND_PCM_ACCESS_MMAP_INTERLEAVED,
    };
    (void)root;

    snd_config_for_each(i, next, conf) {
        snd_config_t *node = snd_config_iterator_entry(i);
        const char *id;
        if (snd_config_get_id(node, &id) < 0)
            continue;
        if (!strcmp(id, "comment") || !strcmp(id, "type") || !strcmp(id, "hint"))
            continue;
        if (!strcmp(id, "rates")) {
            if ((err = read_list(node, 0, rates, &nrates)) < 0)
                return err;
        } else if (!strcmp(id, "formats")) {
            if ((err = read_list(node, 1, formats, &nformats)) < 0)
                return err;
        } else if (!strcmp(id, "channels_min")) {
            if ((err = read_integer(node, id, &channels_min)) < 0)
                return err;
        } else if (!strcmp(id, "channels_max")) {
            if ((err = read_integer(node, id, &channels_max)) < 0)
                return err;
        } else if (!strcmp(id, "rate_min")) {
            if ((err = read_integer(node, id, &rate_min)) < 0)
                return err;
        } else if (!strcmp(id, "rate_max")) {
            if ((err = read_integer(node, id, &rate_max)) < 0)
                return err;
        } else if (!strcmp(id, "open_error")) {
            if ((err = read_integer(node, id, &open_error)) < 0)
                return err;
        } else if (!strcmp(id, "lock")) {
            if (snd_config_get_string(node, &lock_path) < 0) {
                SNDERR("fakehw: lock must be a path");
                return -EINVAL;
            }
        } else if (!strcmp(id, "open_delay")) {
            if ((err = read_integer(node, id, &open_delay)) < 0)
                return err;
        } else if (!strcmp(id, "open_log")) {
            if (snd_config_get_string(node, &open_log) < 0) {
                SNDERR("fakehw: open_log must be a path");
                return -EINVAL;
            }
        } else if (!strcmp(id, "hang_on_open")) {
            if ((hang = snd_config_get_bool(node)) < 0) {
                SNDERR("fakehw: hang_on_open must be a boolean");
                return -EINVAL;
            }
        } else if (!strcmp(id, "crash_on_open")) {
            if ((crash = snd_config_get_bool(node)) < 0) {
                SNDERR("fakehw: crash_on_open must be a boolean");
                return -EINVAL;
            }
        } else {
            SNDERR("fakehw: unknown field %s", id);
            return -EINVAL;
        }
    }
    if (stream != SND_PCM_STREAM_PLAYBACK)
        return -ENODEV; /* an output, like a DAC */
    if (channels_min < 1 || channels_max < channels_min) {
        SNDERR("fakehw: bad channel range %ld..%ld", channels_min, channels_max);
        return -EINVAL;
    }
    if ((rate_min || rate_max) && (nrates || rate_min <= 0 || rate_max < rate_min)) {
        SNDERR("fakehw: give either rates or a rate_min..rate_max range");
        return -EINVAL;
    }
    if (open_delay > 0) {
        struct timespec delay = {open_delay / 1000, (open_delay % 1000) * 1000000L};
        while (nanosleep(&delay, &delay) < 0 && errno == EINTR)
            ;
    }
    if (open_log && (err = log_open(open_log)) < 0)
        return err;
    if (hang)
        for (;;)
            pause();
    if (crash)
        abort();
    if (open_error > 0)
        return (int)-open_error;
    if (!nrates && !rate_min)
        rates[nrates++] = 48000;
    if (!nformats)
        formats[nformats++] = SND_PCM_FORMAT_S16_LE;

    hw = calloc(1, sizeof *hw);
    if (!hw)
        return -ENOMEM;
    hw->lock_fd = -1;
    if (lock_path) {
        hw->lock_fd = take_lock(lock_path, mode);
        if (hw->lock_fd < 0) {
            err = hw->lock_fd;
            free(hw);
            return err;
        }
    }
    hw->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (hw->timer_fd < 0) {
        err = -errno;
        if (hw->lock_fd >= 0)
            close(hw->lock_fd);
        free(hw);
        return err;
    }
    hw->io.version = SND_PCM_IOPLUG_VERSION;
    hw->io.name = "fakehw: emulated DAC";
    hw->io.callback = &fakehw_callbacks;
    hw->io.private_data = hw;
    hw->io.poll_fd = hw->timer_fd;
    hw->io.poll_events = POLLIN;
    hw->io.mmap_rw = 0;
    err = snd_pcm_ioplug_create(&hw->io, name, stream, mode);
    if (err < 0) {
        close(hw->timer_fd);
        if (hw->lock_fd >= 0)
            close(hw->lock_fd);
        free(hw);
        return err;
    }
    /* from here on snd_pcm_ioplug_delete() runs fakehw_close(), which frees hw */
    if ((err = snd_pcm_ioplug_set_param_list(&hw->io, SND_PCM_IOPLUG_HW_ACCESS, 2, access_list)) < 0 ||
        (err = snd_pcm_ioplug_set_param_list(&hw->io, SND_PCM_IOPLUG_HW_FORMAT, nformats, formats)) < 0 ||
        (err = nrates ? snd_pcm_ioplug_set_param_list(&hw->io, SND_PCM_IOPLUG_HW_RATE, nrates, rates)
                      : snd_pcm_ioplug_set_param_minmax(&hw->io, SND_PCM_IOPLUG_HW_RATE,
                                                        (unsigned int)rate_min,
                                                        (unsigned int)rate_max)) < 0 ||
        (err = snd_pcm_ioplug_set_param_minmax(&hw->io, SND_PCM_IOPLUG_HW_CHANNELS,
                                               (unsigned int)channels_min,
                                               (unsigned int)channels_max)) < 0 ||
        (err = snd_pcm_ioplug_set_param_minmax(&hw->io, SND_PCM_IOPLUG_HW_PERIOD_BYTES, 64,
                                               1 << 20)) < 0 ||
        (err = snd_pcm_ioplug_set_param_minmax(&hw->io, SND_PCM_IOPLUG_HW_PERIODS, 2, 64)) < 0) {
        snd_pcm_ioplug_delete(&hw->io);
        return err;
    }
    *pcmp = hw->io.pcm;
    return 0;
}
SND_PCM_PLUGIN_SYMBOL(fakehw);
