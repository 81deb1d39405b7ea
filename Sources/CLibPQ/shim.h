// The one C header crmsync needs from libpq; only the PostgresClient module imports it.
#include <libpq-fe.h>
