// Catching the runaway::Error a call is expected to throw, to look at its message and context.
#pragma once

#include <gtest/gtest.h>

#include "common/error.hpp"

namespace runaway::testing {

// The error `call` throws; a test failure (and a stand-in error) when it throws none.
template <class Call>
runaway::Error expect_error(Call&& call) {
  try {
    call();
  } catch (const runaway::Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected a runaway::Error";
  return runaway::runtime_error("no error");
}

}  // namespace runaway::testing
