#!/usr/bin/env python3
# tools/bench/chart.py RESULTS PNG - draw make bench's ratios as a bar chart.
#
# RESULTS is build/bench/results.txt ("uvmkern.METRIC VALUE UNIT" and
# "linux.METRIC VALUE UNIT" lines); PNG is the picture to write.  One
# horizontal bar per metric in cycles both kernels reported, for uvmkern / Linux on
# a log scale around 1: a bar to the right (red) means uvmkern takes more
# cycles, to the left (green) fewer.
#
# Only the standard library: the picture is drawn into an RGB buffer with
# a small built-in 5x7 pixel font and written as a PNG by hand (zlib for
# the pixel data, struct and crc32 for the chunks), so make bench needs
# neither matplotlib nor gnuplot.
import math
import struct
import sys
import zlib

# A 5x7 font: each glyph is 7 rows, bit 4 the leftmost pixel.  Upper case
# is drawn as lower case.
FONT = {
    '0': (0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E),
    '1': (0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E),
    '2': (0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F),
    '3': (0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E),
    '4': (0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02),
    '5': (0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E),
    '6': (0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E),
    '7': (0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08),
    '8': (0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E),
    '9': (0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C),
    'a': (0x00, 0x00, 0x0E, 0x01, 0x0F, 0x11, 0x0F),
    'b': (0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1E),
    'c': (0x00, 0x00, 0x0E, 0x10, 0x10, 0x11, 0x0E),
    'd': (0x01, 0x01, 0x0D, 0x13, 0x11, 0x11, 0x0F),
    'e': (0x00, 0x00, 0x0E, 0x11, 0x1F, 0x10, 0x0E),
    'f': (0x06, 0x09, 0x08, 0x1C, 0x08, 0x08, 0x08),
    'g': (0x00, 0x0F, 0x11, 0x11, 0x0F, 0x01, 0x0E),
    'h': (0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11),
    'i': (0x04, 0x00, 0x0C, 0x04, 0x04, 0x04, 0x0E),
    'j': (0x02, 0x00, 0x06, 0x02, 0x02, 0x12, 0x0C),
    'k': (0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12),
    'l': (0x0C, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E),
    'm': (0x00, 0x00, 0x1A, 0x15, 0x15, 0x11, 0x11),
    'n': (0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11),
    'o': (0x00, 0x00, 0x0E, 0x11, 0x11, 0x11, 0x0E),
    'p': (0x00, 0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10),
    'q': (0x00, 0x0F, 0x11, 0x11, 0x0F, 0x01, 0x01),
    'r': (0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10),
    's': (0x00, 0x00, 0x0E, 0x10, 0x0E, 0x01, 0x1E),
    't': (0x08, 0x08, 0x1C, 0x08, 0x08, 0x09, 0x06),
    'u': (0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0D),
    'v': (0x00, 0x00, 0x11, 0x11, 0x11, 0x0A, 0x04),
    'w': (0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0A),
    'x': (0x00, 0x00, 0x11, 0x0A, 0x04, 0x0A, 0x11),
    'y': (0x00, 0x11, 0x11, 0x11, 0x0F, 0x01, 0x0E),
    'z': (0x00, 0x00, 0x1F, 0x02, 0x04, 0x08, 0x1F),
    '_': (0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F),
    '.': (0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C),
    ',': (0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08),
    ':': (0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00),
    '-': (0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00),
    '=': (0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00),
    '/': (0x01, 0x01, 0x02, 0x04, 0x08, 0x10, 0x10),
    '(': (0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02),
    ')': (0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08),
    '<': (0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02),
    '>': (0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08),
    ' ': (0,) * 7,
}
DESCENDERS = 'gpqy'             # drawn one font pixel lower than the rest
SCALE = 2                       # each font pixel is 2x2 picture pixels
CHAR_W = 6 * SCALE              # 5 pixels and a gap

WHITE, BLACK, GREY = (255, 255, 255), (0, 0, 0), (200, 200, 200)
RED, GREEN = (205, 60, 50), (40, 150, 70)


class Picture:
    def __init__(self, w, h):
        self.w, self.h = w, h
        self.px = bytearray(WHITE * (w * h))

    def rect(self, x0, y0, x1, y1, rgb):
        x0, x1 = max(0, min(x0, x1)), min(self.w, max(x0, x1))
        y0, y1 = max(0, min(y0, y1)), min(self.h, max(y0, y1))
        for y in range(y0, y1):
            row = y * self.w
            self.px[3 * (row + x0):3 * (row + x1)] = bytes(rgb) * (x1 - x0)

    def text(self, x, y, s, rgb=BLACK):
        for ch in s.lower():
            down = SCALE if ch in DESCENDERS else 0
            for r, bits in enumerate(FONT.get(ch, FONT[' '])):
                for c in range(5):
                    if bits & (0x10 >> c):
                        self.rect(x + c * SCALE, y + down + r * SCALE,
                                  x + (c + 1) * SCALE, y + down + (r + 1) * SCALE, rgb)
            x += CHAR_W

    def png(self):
        raw = b''.join(b'\0' + bytes(self.px[3 * y * self.w:3 * (y + 1) * self.w])
                       for y in range(self.h))

        def chunk(kind, data):
            return (struct.pack('>I', len(data)) + kind + data +
                    struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))
        return (b'\x89PNG\r\n\x1a\n' +
                chunk(b'IHDR', struct.pack('>IIBBBBB', self.w, self.h, 8, 2, 0, 0, 0)) +
                chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))


def read_ratios(path):
    values, order = {}, []
    with open(path) as f:
        for line in f:
            parts = line.split()
            # only times: the free memory (KiB) and the mmap series'
            # flatness (permille) are not costs to compare
            if len(parts) < 3 or '.' not in parts[0] or not parts[2].startswith('cycles'):
                continue
            kernel, metric = parts[0].split('.', 1)
            values[kernel, metric] = float(parts[1])
            if metric not in order:
                order.append(metric)
    return [(m, values['uvmkern', m] / values['linux', m]) for m in order
            if ('uvmkern', m) in values and values.get(('linux', m), 0) > 0]


def main():
    ratios = read_ratios(sys.argv[1])
    if not ratios:
        sys.exit('chart.py: no metric has both a uvmkern and a Linux value')
    lo = min(0.5, min(r for _, r in ratios) / 1.5)
    hi = max(2.0, max(r for _, r in ratios) * 1.6)
    label_w = max(len(m) for m, _ in ratios) * CHAR_W + 20
    row_h, top, bar_w = 26, 60, 560
    w, h = label_w + bar_w + 40, top + row_h * len(ratios) + 50
    x0 = label_w

    def xof(r):
        return x0 + int((math.log10(r) - math.log10(lo)) /
                        (math.log10(hi) - math.log10(lo)) * bar_w)

    pic = Picture(w, h)
    pic.text(10, 10, 'uvmkern / linux, tsc cycles per operation (log scale)')
    pic.text(10, 32, 'right of 1: uvmkern slower, left: faster', (90, 90, 90))
    bottom = top + row_h * len(ratios)
    for t in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000):
        if lo <= t <= hi:
            pic.rect(xof(t), top - 4, xof(t) + 1, bottom, GREY)
            s = ('%g' % t)
            pic.text(xof(t) - len(s) * CHAR_W // 2, bottom + 8, s, (90, 90, 90))
    for i, (metric, r) in enumerate(ratios):
        y = top + i * row_h
        pic.text(10, y + 6, metric)
        pic.rect(xof(1), y + 4, xof(r) + (1 if r >= 1 else 0), y + row_h - 4,
                 RED if r > 1 else GREEN)
        s = '%.2fx' % r
        tx = xof(r) + 6 if r >= 1 else xof(r) - 6 - len(s) * CHAR_W
        if tx < x0:             # no room left of the bar: write it right of 1
            tx = xof(1) + 6
        pic.text(tx, y + 6, s)
    pic.rect(xof(1), top - 4, xof(1) + 2, bottom, BLACK)
    with open(sys.argv[2], 'wb') as f:
        f.write(pic.png())


if __name__ == '__main__':
    main()
