#include "events/money.h"
