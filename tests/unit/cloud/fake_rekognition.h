#pragma once
// A local stand-in for Amazon Rekognition that checks every request the way AWS would (shape,
// headers, SigV4 signature recomputed with the known secret) and answers in the documented
// JSON 1.1 formats, with faults on demand. "Faces" match by identical image bytes; an image
// whose bytes start with "noface" contains no face. Thread-safe; one server per test.

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fai::aws::testing {

// AWS's published documentation example keys: not real credentials.
inline constexpr char kExampleAccessKeyId[] = "AKIDEXAMPLE";
inline constexpr char kExampleSecretKey[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

enum class Fault {
  kThrottle,      // 400 ThrottlingException
  kServerError,   // 500 InternalServerError
  kAccessDenied,  // 400 AccessDeniedException
  kHang,          // no answer until the server stops
};

class FakeRekognition {
 public:
  // `session_token`: when not empty, every request must carry it in X-Amz-Security-Token.
  explicit FakeRekognition(std::string region = "us-east-1", std::string session_token = "");
  ~FakeRekognition();
  FakeRekognition(const FakeRekognition&) = delete;
  FakeRekognition& operator=(const FakeRekognition&) = delete;

  std::string endpoint() const;  // "http://127.0.0.1:<port>"
  // The next `times` requests (any operation, after verification) get `fault`.
  void inject(Fault fault, int times);
  // Requests seen for `operation` ("SearchFacesByImage"), faulted ones included.
  int requests(const std::string& operation) const;
  // Every way a request differed from what AWS accepts; empty when the client behaved.
  std::vector<std::string> violations() const;
  bool has_collection(const std::string& collection) const;

 private:
  struct Face {
    std::string face_id;
    std::string external_image_id;
    std::string image_sha256;
  };
  struct Answer {
    int status;
    std::string body;
  };
  void handle(const httplib::Request& request, httplib::Response& response);
  std::vector<std::string> check_request(const httplib::Request& request,
                                         const std::string& operation) const;
  Answer answer_fault(Fault fault);
  Answer dispatch(const std::string& operation, const std::string& body);
  Answer create_collection(const std::string& collection);
  Answer index_faces(const std::string& collection, const std::string& image,
                     const std::string& external_image_id);
  Answer search_faces(const std::string& collection, const std::string& image, double threshold_pct,
                      int max_faces);
  Answer delete_faces(const std::string& collection, const std::vector<std::string>& face_ids);

  const std::string region_;
  const std::string session_token_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;

  mutable std::mutex mutex_;
  std::condition_variable stopping_cv_;
  bool stopping_ = false;
  std::deque<Fault> faults_;
  std::map<std::string, int> requests_;
  std::vector<std::string> violations_;
  std::map<std::string, std::vector<Face>> collections_;
  int next_face_ = 1;
};

}  // namespace fai::aws::testing
