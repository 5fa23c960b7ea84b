#pragma once
#define OTHER_SERVER_PREFIX "other"
