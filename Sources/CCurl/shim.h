// libcurl for crmsync's mail transport; only the MailTransport module imports it.
// curl_easy_setopt and curl_easy_getinfo are variadic C macros/functions, which Swift cannot
// call: these typed inline wrappers give each argument kind its own entry point.
#ifndef CRMSYNC_CCURL_SHIM_H
#define CRMSYNC_CCURL_SHIM_H
#include <curl/curl.h>
#include <poll.h>

/// CURL_GLOBAL_DEFAULT is a compound macro Swift does not import.
static inline CURLcode crmsync_curl_global_init(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

static inline CURLcode crmsync_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode crmsync_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode crmsync_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

/// Read, write and header callbacks share this signature.
static inline CURLcode crmsync_curl_setopt_callback(
    CURL *handle, CURLoption option, size_t (*callback)(char *, size_t, size_t, void *)) {
    return curl_easy_setopt(handle, option, callback);
}

static inline CURLcode crmsync_curl_getinfo_socket(CURL *handle, curl_socket_t *socket) {
    return curl_easy_getinfo(handle, CURLINFO_ACTIVESOCKET, socket);
}

static inline CURLcode crmsync_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
