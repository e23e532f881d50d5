#include "gateway/net/mllp_framer.h"

#include <algorithm>
#include <cstring>

namespace raccordo {

std::string MllpOversize::describe() const {
  return "MLLP message of at least " + std::to_string(received) + " bytes is over the limit of " +
         std::to_string(limit) + " bytes";
}

MllpFramer::MllpFramer(size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

void MllpFramer::append(std::string_view bytes, std::vector<MllpEvent>& out) {
  frame_bytes_ += bytes.size();
  if (discarding_) return;
  if (frame_bytes_ <= max_message_bytes_) {
    current_.append(bytes);
    return;
  }
  // Over the limit: report once, keep the head for the reply, stop buffering.
  MllpEvent event;
  event.kind = MllpEvent::Kind::kOversize;
  event.oversize.received = frame_bytes_;
  event.oversize.limit = max_message_bytes_;
  size_t head = std::min(current_.size(), MllpOversize::kHeadBytes);
  event.oversize.head.assign(current_, 0, head);
  event.oversize.head.append(bytes.substr(0, MllpOversize::kHeadBytes - head));
  out.push_back(std::move(event));
  discarding_ = true;
  std::string().swap(current_);  // give the memory back now, not at the end of the frame
}

std::vector<MllpEvent> MllpFramer::feed(std::string_view in) {
  std::vector<MllpEvent> out;
  size_t i = 0;
  while (i < in.size()) {
    switch (state_) {
      case State::kOutside: {
        const void* start = std::memchr(in.data() + i, kMllpStartBlock, in.size() - i);
        size_t at = start != nullptr ? static_cast<size_t>(static_cast<const char*>(start) - in.data()) : in.size();
        junk_bytes_ += at - i;
        i = at;
        if (start != nullptr) {
          ++i;
          state_ = State::kInFrame;
          discarding_ = false;
          frame_bytes_ = 0;
          current_.clear();
        }
        break;
      }
      case State::kInFrame: {
        const void* end = std::memchr(in.data() + i, kMllpEndBlock, in.size() - i);
        size_t at = end != nullptr ? static_cast<size_t>(static_cast<const char*>(end) - in.data()) : in.size();
        append(in.substr(i, at - i), out);
        i = at;
        if (end != nullptr) {
          ++i;
          state_ = State::kSawEndBlock;
        }
        break;
      }
      case State::kSawEndBlock: {
        char c = in[i];
        if (c == kMllpCarriageReturn) {
          ++i;
          state_ = State::kOutside;
          if (!discarding_) {
            MllpEvent event;
            event.message = std::move(current_);
            out.push_back(std::move(event));
          }
          current_ = std::string();
          discarding_ = false;
        } else {
          // A lone 0x1C is content. When `c` is another 0x1C it may start the
          // real end sequence, so the state stays; anything else is read
          // again as ordinary content.
          append(std::string_view(&kMllpEndBlock, 1), out);
          if (c == kMllpEndBlock) {
            ++i;
          } else {
            state_ = State::kInFrame;
          }
        }
        break;
      }
    }
  }
  return out;
}

std::string mllpFrame(std::string_view payload) {
  std::string framed;
  framed.reserve(payload.size() + 3);
  framed.push_back(kMllpStartBlock);
  framed.append(payload);
  framed.push_back(kMllpEndBlock);
  framed.push_back(kMllpCarriageReturn);
  return framed;
}

}  // namespace raccordo
