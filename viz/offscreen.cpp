#include "viz/offscreen.hpp"

#include <unistd.h>
#include <vtkImageData.h>
#include <vtkPNGReader.h>
#include <vtkPNGWriter.h>
#include <vtkRenderWindow.h>
#include <vtkSmartPointer.h>
#include <vtkWindowToImageFilter.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <unordered_map>

#include "common/error.hpp"

namespace runaway::viz {

namespace fs = std::filesystem;

namespace {

std::vector<std::string>& command_line() {
  static std::vector<std::string> arguments;
  return arguments;
}

// Set in the environment of the command run again under Xvfb, so that it never loops.
constexpr const char* kUnderXvfb = "RUNAWAY_VIZ_UNDER_XVFB";

}  // namespace

std::string find_program(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return "";
  std::stringstream directories(path);
  std::string directory;
  while (std::getline(directories, directory, ':')) {
    if (directory.empty()) continue;
    const fs::path candidate = fs::path(directory) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

namespace {

fs::path this_executable() {
  std::error_code error;
  fs::path self = fs::read_symlink("/proc/self/exe", error);
  if (!error) return self;
  return command_line().empty() ? fs::path() : fs::path(command_line().front());
}

}  // namespace

void remember_command_line(int argc, char** argv) {
  command_line().assign(argv, argv + argc);
}

void ensure_display() {
  const char* display = std::getenv("DISPLAY");
  if (display != nullptr && display[0] != '\0') return;
  const char* how =
      "rendering needs an X display (Debian's VTK renders through GLX even off-screen): set "
      "DISPLAY, or install Xvfb (Debian: xvfb) and run `xvfb-run -a runaway-viz ...`";
  if (std::getenv(kUnderXvfb) != nullptr) {
    throw runtime_error(std::string("xvfb-run started no X display; ") + how);
  }
  const std::string xvfb_run = find_program("xvfb-run");
  if (xvfb_run.empty() || command_line().empty()) {
    throw runtime_error(std::string("no X display and no xvfb-run on PATH: ") + how);
  }
  // xvfb-run -a takes the first display number without a lock file from 99 up (and tries the
  // next one when that Xvfb finds the display taken); starting the search at a number of our own
  // (from the process id) keeps parallel runs from having to retry. 24-bit colour, so that
  // rendered colours are exact; a screen large enough for any --size we allow. -noreset: by
  // default Xvfb resets whenever its last client disconnects and drops a client that connects
  // during the reset; a program that reconnects (pvpython does) would then fail under load.
  const std::string first_display = std::to_string(1000 + (::getpid() % 8000) * 4);
  std::vector<std::string> arguments = {xvfb_run,
                                        "-n",
                                        first_display,
                                        "-a",
                                        "-s",
                                        "-screen 0 3840x2160x24 -nolisten tcp -noreset",
                                        this_executable().string()};
  arguments.insert(arguments.end(), command_line().begin() + 1, command_line().end());
  std::vector<char*> pointers;
  pointers.reserve(arguments.size() + 1);
  for (auto& a : arguments) pointers.push_back(a.data());
  pointers.push_back(nullptr);
  ::setenv(kUnderXvfb, "1", 1);
  std::fflush(stdout);
  std::fflush(stderr);
  ::execv(xvfb_run.c_str(), pointers.data());
  throw runtime_error("cannot run " + xvfb_run + ": " + std::strerror(errno) + "; " + how);
}

// LeakSanitizer's switches (its API, hence the reserved names), there only in sanitizer builds:
// weak, so null otherwise.
extern "C" void __lsan_disable() __attribute__((weak));  // NOLINT(bugprone-reserved-identifier)
extern "C" void __lsan_enable() __attribute__((weak));   // NOLINT(bugprone-reserved-identifier)

void write_png(vtkRenderWindow& window, const fs::path& path) {
  // Drawing runs Mesa's shader compiler (llvmpipe JIT code), whose allocations VTK's OpenGL
  // state keeps until exit; LeakSanitizer cannot tell whose they are. They are not checked;
  // everything else is.
  if (__lsan_disable != nullptr) __lsan_disable();
  window.Render();
  if (__lsan_enable != nullptr) __lsan_enable();
  auto grab = vtkSmartPointer<vtkWindowToImageFilter>::New();
  grab->SetInput(&window);
  grab->SetInputBufferTypeToRGB();
  grab->ReadFrontBufferOff();
  grab->Update();
  auto writer = vtkSmartPointer<vtkPNGWriter>::New();
  writer->SetInputConnection(grab->GetOutputPort());
  writer->SetFileName(path.string().c_str());
  writer->Write();
  std::error_code error;
  if (!fs::exists(path, error) || fs::file_size(path, error) == 0) {
    throw runtime_error("cannot write the image", {path.string(), 0, "", ""});
  }
}

PngProbe probe_png(const fs::path& path, const std::vector<std::pair<int, int>>& pixels) {
  std::error_code error;
  auto reader = vtkSmartPointer<vtkPNGReader>::New();
  if (!fs::is_regular_file(path, error) || reader->CanReadFile(path.string().c_str()) == 0) {
    throw bad_input("not a readable PNG file", {path.string(), 0, "", ""});
  }
  reader->SetFileName(path.string().c_str());
  reader->Update();
  vtkImageData* image = reader->GetOutput();
  int dims[3];
  image->GetDimensions(dims);
  PngProbe probe;
  probe.width = dims[0];
  probe.height = dims[1];
  const int components = image->GetNumberOfScalarComponents();
  // VTK's image rows go upwards from the bottom; image viewers count rows from the top.
  const auto rgb = [&](int x, int y) {
    std::array<int, 3> colour{0, 0, 0};
    const auto* p =
        static_cast<const unsigned char*>(image->GetScalarPointer(x, dims[1] - 1 - y, 0));
    for (int c = 0; c < 3; ++c) colour[std::size_t(c)] = p[components >= 3 ? c : 0];
    return colour;
  };
  std::unordered_map<int, std::size_t> counts;
  for (int y = 0; y < dims[1]; ++y) {
    for (int x = 0; x < dims[0]; ++x) {
      const auto c = rgb(x, y);
      ++counts[(c[0] << 16) | (c[1] << 8) | c[2]];
    }
  }
  probe.distinct_colors = counts.size();
  std::size_t most = 0;
  int most_key = 0;
  for (const auto& [key, count] : counts) {
    if (count > most) {
      most = count;
      most_key = key;
    }
  }
  probe.most_common = {(most_key >> 16) & 255, (most_key >> 8) & 255, most_key & 255};
  const double total = double(dims[0]) * double(dims[1]);
  probe.most_common_fraction = total > 0 ? double(most) / total : 0.0;
  for (const auto& [x, y] : pixels) {
    if (x < 0 || y < 0 || x >= dims[0] || y >= dims[1]) {
      std::ostringstream value;
      value << x << " " << y;
      throw bad_input("pixel outside the " + std::to_string(dims[0]) + " x " +
                          std::to_string(dims[1]) + " image",
                      {path.string(), 0, "pixel", value.str()});
    }
    probe.pixels.push_back(rgb(x, y));
  }
  return probe;
}

}  // namespace runaway::viz
