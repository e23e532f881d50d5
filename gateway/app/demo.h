#pragma once

#include "gateway/config/config.h"

namespace raccordo {

/// `raccordo demo`: starts the gateway on SQLite under var/demo/, pushes
/// synthetic citizens through the real HTTP ingest path, waits until they are
/// applied, prints the URLs and a curl to read one integrated record.
int runDemo(const Config& config);

}  // namespace raccordo
