/* Helpers shared by the library's source files; not part of the API. */
#ifndef QORA_INTERNAL_H
#define QORA_INTERNAL_H

#include "qora_node.h"

size_t qora_bounded_len(const char *s, size_t max);
size_t qora_id_len(const char *s);
void qora_put_u32(uint8_t *p, uint32_t v);
uint32_t qora_get_u32(const uint8_t *p);
int qora_hex_value(uint8_t c, int lower_only);
int qora_hex_decode(const uint8_t *hex, size_t hex_len, uint8_t *out, size_t out_len, int lower_only);
int qora_utf8_valid(const uint8_t *b, size_t len);

#endif
