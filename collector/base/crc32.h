/* CRC-32 (ISO-HDLC: the polynomial of zlib and of .evtx checksums), with
 * zlib's calling convention: ohc_crc32(0, p, n) is the checksum of n bytes,
 * and ohc_crc32(c, q, m) continues one whose value so far is c.
 *
 * On x86-64 processors with carry-less multiplication (PCLMULQDQ, checked at
 * run time) long buffers are folded 64 bytes at a time; elsewhere, and for
 * short buffers and tails, zlib's crc32 computes it. The checksum of every
 * .evtx chunk is verified when it is read, so this showed in the profile of
 * the full render. */
#ifndef OHC_CRC32_H
#define OHC_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t ohc_crc32(uint32_t crc, const uint8_t *p, size_t n);

#endif
