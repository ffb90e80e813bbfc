/* test_csv.c — the CSV reader (src/lib/csv.c) on the edge cases of RFC 4180
 * and of files people write by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <hpamp/hpamp.h>

#include "csv.h"

/* read all of text; records into a flat description "line:f1|f2|...;" and
 * bad records as "line:!why;" */
static void read_all(const char *text, size_t len, char *out, size_t cap)
{
    hpa_csv c;
    assert_int_equal(hpa_csv_init(&c, text, len), HPA_OK);
    size_t n = 0;
    out[0] = 0;
    for (int guard = 0; guard < 10000; guard++) {
        hpa_csv_status s = hpa_csv_next(&c);
        if (s == HPA_CSV_END)
            break;
        if (s == HPA_CSV_BAD) {
            n += (size_t)snprintf(out + n, cap - n, "%u:!%s;", c.line, c.why);
            continue;
        }
        n += (size_t)snprintf(out + n, cap - n, "%u:", c.line);
        for (size_t i = 0; i < c.n_fields; i++) {
            assert_int_equal(strlen(c.fields[i]), c.field_len[i]);
            n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "|" : "", c.fields[i]);
        }
        n += (size_t)snprintf(out + n, cap - n, ";");
        assert_true(n < cap);
    }
    hpa_csv_free(&c);
}

static void expect(const char *text, const char *want)
{
    char got[4096];
    read_all(text, strlen(text), got, sizeof got);
    if (strcmp(got, want) != 0)
        print_error("text:  [%s]\nwant:  [%s]\ngot:   [%s]\n", text, want, got);
    assert_string_equal(got, want);
}

static void test_plain(void **state)
{
    (void)state;
    expect("a,b,c\n1,2,3\n", "1:a|b|c;2:1|2|3;");
    expect("a,b,c", "1:a|b|c;"); /* no final line break */
    expect("", "");
    expect("\n\n", "");
    expect("x\n", "1:x;");
    expect("a,,c,\n", "1:a||c|;"); /* empty fields, a trailing comma */
    expect(",\n", "1:|;");
}

static void test_quotes(void **state)
{
    (void)state;
    expect("\"a,b\",c\n", "1:a,b|c;");
    expect("\"say \"\"hi\"\"\",x\n", "1:say \"hi\"|x;");
    expect("\"\"\n", "1:;");       /* an empty quoted field */
    expect("\"\"\"\"\n", "1:\";"); /* one quote */
    expect("a,\"b\"\n", "1:a|b;");
    expect("a,\"b\"", "1:a|b;");       /* closing quote at the very end */
    expect("ab\"c,d\n", "1:ab\"c|d;"); /* a bare quote inside an unquoted field */
}

static void test_line_breaks(void **state)
{
    (void)state;
    expect("a,b\r\nc,d\r\n", "1:a|b;2:c|d;");
    expect("a,b\rc,d\r", "1:a|b;2:c|d;"); /* lone CR (old Mac) */
    expect("a,b\r\n\r\nc,d", "1:a|b;3:c|d;");
    /* a line break inside quotes belongs to the field; CRLF there becomes LF;
     * the next record's line number counts it */
    expect("\"x\r\ny\",z\nq\n", "1:x\ny|z;3:q;");
    expect("\"x\ny\nz\"\n4th\n", "1:x\ny\nz;4:4th;");
}

static void test_spaces_comments_bom(void **state)
{
    (void)state;
    expect("  a , b\t,c  \n", "1:a|b|c;"); /* spaces around unquoted fields go */
    expect(" \" a \" , b\n", "1: a |b;");  /* inside quotes they stay */
    expect("# a comment\na,b\n  \n#x,y\nc\n", "2:a|b;5:c;");
    expect("\xEF\xBB\xBFid,name\n", "1:id|name;"); /* UTF-8 byte-order mark */
    expect("a,b # not a comment\n", "1:a|b # not a comment;");
}

static void test_errors_resync(void **state)
{
    (void)state;
    /* text after a closing quote: that line is skipped, the next is read */
    expect("ok,1\n\"a\"b,2\nok,3\n", "1:ok|1;2:!text after a closing quote (a quote inside a quoted field must be "
                                     "doubled);3:ok|3;");
    /* a quote never closed: reported on its line, reading resumes on the next */
    expect("ok,1\nbad,\"open\nok,3\nok,4\n", "1:ok|1;2:!a quoted field is never closed;3:ok|3;4:ok|4;");
    /* control characters and invalid UTF-8 */
    expect("a\x01"
           "b,c\nd\n",
           "1:!field 1 holds a control character (byte 0x01);2:d;");
    expect("a,\x7f\nd\n", "1:!field 2 holds a control character (byte 0x7f);2:d;");
    expect("a,\xff\nd\n", "1:!field 2 is not valid UTF-8;2:d;");
    expect("a,\xc3\nd\n", "1:!field 2 is not valid UTF-8;2:d;");         /* cut sequence */
    expect("\xc0\xaf,x\nd\n", "1:!field 1 is not valid UTF-8;2:d;");     /* overlong */
    expect("\xed\xa0\x80\nd\n", "1:!field 1 is not valid UTF-8;2:d;");   /* surrogate */
    expect("caf\xc3\xa9,\xe2\x84\xa6\n", "1:caf\xc3\xa9|\xe2\x84\xa6;"); /* valid UTF-8 */
}

static void test_nul_byte(void **state)
{
    (void)state;
    const char text[] = "a,b\0c\nd,e\n";
    char got[256];
    read_all(text, sizeof text - 1, got, sizeof got);
    assert_string_equal(got, "1:!field 2 holds a control character (byte 0x00);2:d|e;");
}

static void test_limits(void **state)
{
    (void)state;
    char text[HPA_CSV_MAX_RECORD + 200];
    /* 64 fields are fine, 65 are not */
    size_t n = 0;
    for (int i = 0; i < 64; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s%d", i ? "," : "", i);
    n += (size_t)snprintf(text + n, sizeof text - n, "\nnext\n");
    char got[8192];
    read_all(text, n, got, sizeof got);
    assert_non_null(strstr(got, "1:0|1|2|"));
    assert_non_null(strstr(got, "|63;2:next;"));
    n = 0;
    for (int i = 0; i < 65; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s%d", i ? "," : "", i);
    n += (size_t)snprintf(text + n, sizeof text - n, "\nnext\n");
    read_all(text, n, got, sizeof got);
    assert_string_equal(got, "1:!more than 64 fields;2:next;");
    /* a record longer than the limit */
    memset(text, 'x', HPA_CSV_MAX_RECORD + 10);
    // NOLINTNEXTLINE(bugprone-not-null-terminated-result): read_all takes the length; no terminator is read
    memcpy(text + HPA_CSV_MAX_RECORD + 10, "\nnext\n", 6);
    read_all(text, HPA_CSV_MAX_RECORD + 16, got, sizeof got);
    assert_string_equal(got, "1:!record longer than 65536 bytes;2:next;");
}

static void test_utf8(void **state)
{
    (void)state;
    assert_true(hpa_utf8_valid("", 0));
    assert_true(hpa_utf8_valid("abc", 3));
    assert_true(hpa_utf8_valid("\xce\xa9", 2));
    assert_true(hpa_utf8_valid("\xf0\x9f\x8e\xa7", 4)); /* U+1F3A7 headphone */
    assert_false(hpa_utf8_valid("\xf0\x9f\x8e", 3));
    assert_false(hpa_utf8_valid("\xf4\x90\x80\x80", 4)); /* past U+10FFFF */
    assert_false(hpa_utf8_valid("\xe0\x80\x80", 3));     /* overlong */
    assert_false(hpa_utf8_valid("\x80", 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),         cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_line_breaks),   cmocka_unit_test(test_spaces_comments_bom),
        cmocka_unit_test(test_errors_resync), cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_limits),        cmocka_unit_test(test_utf8),
    };
    return cmocka_run_group_tests_name("db_csv", tests, NULL, NULL);
}
