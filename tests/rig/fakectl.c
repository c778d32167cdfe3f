/*
 * fakectl: a test-only ALSA external control plugin that exposes fixed BYTES elements,
 * read-only, the way HDMI drivers expose a sink's ELD.
 *
 * HDA and ASoC hdmi-codec drivers put each HDMI/DP PCM's ELD in a control element
 * iface=PCM, name="ELD", device=<PCM device>, type BYTES, access read|volatile. HDA gives
 * it as many bytes as the ELD has (0 when no sink is connected); hdmi-codec always gives
 * 128 and leaves them zero without a sink. This plugin lets tests put real captured ELDs
 * (and disconnected sinks, and elements that are not ELDs) behind a control device, so the
 * code that reads a card's controls can run on a machine without a sound card.
 *
 * Configuration:
 *
 *   ctl.NAME {
 *       type fakectl
 *       elements [
 *           { device 3 value "10000a00..." }              # iface PCM, name "ELD" by default
 *           { device 7 value "" }                         # count 0: HDA without a sink
 *           { iface MIXER name "ELD" device 8 value "00" }
 *           { device 9 value "1000" read_error 5 }        # TEST KNOB: reading fails, -EIO
 *       ]
 *   }
 *
 * `value` is hex, at most 512 bytes (the size of a control value's byte array); `iface` is
 * one of snd_ctl_elem_iface_name()'s names (CARD, HWDEP, MIXER, PCM, ...).
 *
 * Build: gcc -O2 -Wall -DPIC -shared -fPIC -o libasound_module_ctl_fakectl.so fakectl.c -lasound
 */
#include <alsa/asoundlib.h>
#include <alsa/control_external.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ELEMENTS 32
#define MAX_BYTES 512
#define NAME_SIZE 44 /* an element id name: 44 bytes with the terminating NUL */

struct element {
    snd_ctl_elem_iface_t iface;
    char name[NAME_SIZE];
    unsigned int device;
    unsigned char value[MAX_BYTES];
    unsigned int count;
    int read_error; /* a positive errno, or 0 */
};

struct fakectl {
    snd_ctl_ext_t ext;
    unsigned int count;
    struct element elements[MAX_ELEMENTS];
};

static int fakectl_elem_count(snd_ctl_ext_t *ext)
{
    struct fakectl *ctl = ext->private_data;
    return (int)ctl->count;
}

static int fakectl_elem_list(snd_ctl_ext_t *ext, unsigned int offset, snd_ctl_elem_id_t *id)
{
    struct fakectl *ctl = ext->private_data;
    const struct element *element;
    if (offset >= ctl->count)
        return -EINVAL;
    element = &ctl->elements[offset];
    snd_ctl_elem_id_set_interface(id, element->iface);
    snd_ctl_elem_id_set_name(id, element->name);
    snd_ctl_elem_id_set_device(id, element->device);
    return 0;
}

static snd_ctl_ext_key_t fakectl_find_elem(snd_ctl_ext_t *ext, const snd_ctl_elem_id_t *id)
{
    struct fakectl *ctl = ext->private_data;
    unsigned int numid = snd_ctl_elem_id_get_numid(id);
    unsigned int i;
    if (numid > 0 && numid <= ctl->count)
        return numid - 1; /* alsa-lib numbers elements by their list offset + 1 */
    for (i = 0; i < ctl->count; i++) {
        const struct element *element = &ctl->elements[i];
        if (snd_ctl_elem_id_get_interface(id) == element->iface &&
            snd_ctl_elem_id_get_device(id) == element->device &&
            snd_ctl_elem_id_get_subdevice(id) == 0 && snd_ctl_elem_id_get_index(id) == 0 &&
            strcmp(snd_ctl_elem_id_get_name(id), element->name) == 0)
            return i;
    }
    return SND_CTL_EXT_KEY_NOT_FOUND;
}

static int fakectl_get_attribute(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, int *type,
                                 unsigned int *access, unsigned int *count)
{
    struct fakectl *ctl = ext->private_data;
    if (key >= ctl->count)
        return -EINVAL;
    *type = SND_CTL_ELEM_TYPE_BYTES;
    *access = SND_CTL_EXT_ACCESS_READ | SND_CTL_EXT_ACCESS_VOLATILE;
    *count = ctl->elements[key].count;
    return 0;
}

static int fakectl_read_bytes(snd_ctl_ext_t *ext, snd_ctl_ext_key_t key, unsigned char *data,
                              size_t max_bytes)
{
    struct fakectl *ctl = ext->private_data;
    const struct element *element;
    if (key >= ctl->count)
        return -EINVAL;
    element = &ctl->elements[key];
    if (element->read_error)
        return -element->read_error;
    memset(data, 0, max_bytes);
    memcpy(data, element->value, element->count < max_bytes ? element->count : max_bytes);
    return 0;
}

static void fakectl_close(snd_ctl_ext_t *ext)
{
    free(ext->private_data);
}

static const snd_ctl_ext_callback_t fakectl_callbacks = {
    .close = fakectl_close,
    .elem_count = fakectl_elem_count,
    .elem_list = fakectl_elem_list,
    .find_elem = fakectl_find_elem,
    .get_attribute = fakectl_get_attribute,
    .read_bytes = fakectl_read_bytes,
};

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int parse_hex(const char *text, struct element *element)
{
    size_t length = strlen(text), i;
    if (length % 2 || length / 2 > MAX_BYTES) {
        SNDERR("fakectl: value must be an even number of hex digits, at most %d bytes",
               MAX_BYTES);
        return -EINVAL;
    }
    for (i = 0; i < length; i += 2) {
        int high = hex_digit(text[i]), low = hex_digit(text[i + 1]);
        if (high < 0 || low < 0) {
            SNDERR("fakectl: value is not hex: %s", text);
            return -EINVAL;
        }
        element->value[i / 2] = (unsigned char)(high << 4 | low);
    }
    element->count = (unsigned int)(length / 2);
    return 0;
}

static int parse_iface(const char *text, snd_ctl_elem_iface_t *out)
{
    int iface;
    for (iface = 0; iface <= SND_CTL_ELEM_IFACE_LAST; iface++) {
        if (strcmp(text, snd_ctl_elem_iface_name((snd_ctl_elem_iface_t)iface)) == 0) {
            *out = (snd_ctl_elem_iface_t)iface;
            return 0;
        }
    }
    SNDERR("fakectl: unknown iface %s", text);
    return -EINVAL;
}

static int parse_element(snd_config_t *node, struct element *element)
{
    snd_config_iterator_t i, next;
    int has_device = 0, has_value = 0;
    element->iface = SND_CTL_ELEM_IFACE_PCM;
    strcpy(element->name, "ELD");
    snd_config_for_each(i, next, node) {
        snd_config_t *field = snd_config_iterator_entry(i);
        const char *id, *text;
        long number;
        int err = 0;
        if (snd_config_get_id(field, &id) < 0)
            continue;
        if (strcmp(id, "iface") == 0) {
            err = snd_config_get_string(field, &text);
            if (err >= 0)
                err = parse_iface(text, &element->iface);
        } else if (strcmp(id, "name") == 0) {
            err = snd_config_get_string(field, &text);
            if (err >= 0 && strlen(text) >= sizeof element->name)
                err = -EINVAL;
            if (err >= 0)
                strcpy(element->name, text);
        } else if (strcmp(id, "device") == 0) {
            err = snd_config_get_integer(field, &number);
            if (err >= 0 && number < 0)
                err = -EINVAL;
            if (err >= 0)
                element->device = (unsigned int)number;
            has_device = 1;
        } else if (strcmp(id, "value") == 0) {
            err = snd_config_get_string(field, &text);
            if (err >= 0)
                err = parse_hex(text, element);
            has_value = 1;
        } else if (strcmp(id, "read_error") == 0) {
            err = snd_config_get_integer(field, &number);
            if (err >= 0 && number <= 0)
                err = -EINVAL;
            if (err >= 0)
                element->read_error = (int)number;
        } else {
            SNDERR("fakectl: unknown element field %s", id);
            return -EINVAL;
        }
        if (err < 0) {
            SNDERR("fakectl: invalid element field %s", id);
            return -EINVAL;
        }
    }
    if (!has_device || !has_value) {
        SNDERR("fakectl: an element needs a device and a value");
        return -EINVAL;
    }
    return 0;
}

SND_CTL_PLUGIN_DEFINE_FUNC(fakectl)
{
    snd_config_iterator_t i, next;
    struct fakectl *ctl;
    int err;
    (void)root;

    ctl = calloc(1, sizeof *ctl);
    if (!ctl)
        return -ENOMEM;
    snd_config_for_each(i, next, conf) {
        snd_config_t *node = snd_config_iterator_entry(i);
        const char *id;
        if (snd_config_get_id(node, &id) < 0)
            continue;
        if (strcmp(id, "comment") == 0 || strcmp(id, "type") == 0 || strcmp(id, "hint") == 0)
            continue;
        if (strcmp(id, "elements") == 0) {
            snd_config_iterator_t j, next_j;
            snd_config_for_each(j, next_j, node) {
                if (ctl->count >= MAX_ELEMENTS) {
                    SNDERR("fakectl: more than %d elements", MAX_ELEMENTS);
                    free(ctl);
                    return -EINVAL;
                }
                err = parse_element(snd_config_iterator_entry(j), &ctl->elements[ctl->count]);
                if (err < 0) {
                    free(ctl);
                    return err;
                }
                ctl->count++;
            }
            continue;
        }
        SNDERR("fakectl: unknown field %s", id);
        free(ctl);
        return -EINVAL;
    }

    ctl->ext.version = SND_CTL_EXT_VERSION;
    ctl->ext.card_idx = -1;
    ctl->ext.poll_fd = -1;
    strcpy(ctl->ext.id, "fakectl");
    strcpy(ctl->ext.driver, "fakectl");
    strcpy(ctl->ext.name, "Fake HDMI controls");
    strcpy(ctl->ext.longname, "fakectl: emulated HDMI ELD controls");
    strcpy(ctl->ext.mixername, "fakectl");
    ctl->ext.callback = &fakectl_callbacks;
    ctl->ext.private_data = ctl;
    err = snd_ctl_ext_create(&ctl->ext, name, mode);
    if (err < 0) {
        free(ctl);
        return err;
    }
    *handlep = ctl->ext.handle;
    return 0;
}

SND_CTL_PLUGIN_SYMBOL(fakectl);
