// `factoryai eval faces DIR`: face identification accuracy. DIR is either a folder per identity
// (the first --enrol photos of each, by name, are enrolled; the rest are probes) or a folder with
// identities.csv (file, role enrol|probe, identities_in_image). Every identity in turn is held out
// as the stranger; the threshold of each round is calibrated on the strangers of the other rounds
// only, so the false accept rate reported for a round is measured on unseen strangers.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <sstream>

#include "analytics/identity/face_detector.h"
#include "analytics/identity/face_embedder.h"
#include "analytics/identity/face_quality.h"
#include "analytics/identity/gallery.h"
#include "cmd_eval_faces.h"
#include "image/image_io.h"
#include "infer/manifest.h"

namespace fai::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// BlazeFace is a short-range model trained on faces with context around them: a photo where the
// face fills the frame may show none, and a margin brings it back (dlib_johns: 0 of 55 needed it).
constexpr float kTightCropMarginFraction = 0.5f;

struct EvalFacesOptions {
  std::string dir;
  int enrol_per_identity = 3;
  double max_false_accept_rate = 0.01;
  std::string detector_model = "blazeface";
  std::string embedder_model = "faceres";
  std::string scoring = "best";
  float min_face_score = 0.5f;
  float fixed_threshold = -1;     // >= 0: use it instead of per-round calibration
  std::string flip = "default";   // on | off | default (the embedder's)
  std::string align = "default";  // eyes | five (eyes, nose, mouth) | default
  bool quality_gate = false;      // drop probe faces that fail the quality gate
};

struct Photo {
  std::string path;
  std::vector<std::string> identities;  // who is in it
  bool enrol = false;
  std::vector<Embedding> faces;  // up to identities.size(), best detection first
};

struct Dataset {
  std::vector<std::string> identities;
  std::vector<Photo> photos;
};

bool is_image(const fs::path& p) {
  const auto ext = p.extension().string();
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}

std::vector<std::string> sorted_images(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && is_image(entry.path())) out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Dataset folder_dataset(const fs::path& dir, int enrol_per_identity) {
  Dataset data;
  std::vector<fs::path> folders;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_directory()) folders.push_back(entry.path());
  }
  std::sort(folders.begin(), folders.end());
  for (const fs::path& folder : folders) {
    const std::string id = folder.filename().string();
    const auto images = sorted_images(folder);
    if (images.empty()) continue;
    data.identities.push_back(id);
    for (size_t i = 0; i < images.size(); ++i) {
      data.photos.push_back({images[i], {id}, int(i) < enrol_per_identity, {}});
    }
  }
  return data;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::stringstream ss(text);
  for (std::string part; std::getline(ss, part, sep);) parts.push_back(part);
  return parts;
}

// identities.csv: enrol rows are the gallery photos; probe rows whose people are all enrolled
// are probes, unless byte-identical to an enrolled file (the ageitgey set repeats photos).
Expected<Dataset> csv_dataset(const fs::path& dir, int enrol_per_identity) {
  std::ifstream in(dir / "identities.csv");
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) rows.push_back(split(line, ','));
  Dataset data;
  std::map<std::string, int> enrolled;
  std::set<std::string> enrolled_sha;
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    if (r.size() < 3 || r[1] != "enrol" || r[0].rfind("knn_examples/train/", 0) != 0) continue;
    if (enrolled[r[2]]++ >= enrol_per_identity) continue;
    auto sha = sha256_file((dir / r[0]).string());
    if (!sha) return sha.error();
    enrolled_sha.insert(*sha);
    data.photos.push_back({(dir / r[0]).string(), {r[2]}, true, {}});
  }
  for (const auto& [id, count] : enrolled) data.identities.push_back(id);
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto& r = rows[i];
    if (r.size() < 3 || r[1] != "probe") continue;
    const auto people = split(r[2], ';');
    const bool all_known = std::all_of(people.begin(), people.end(),
                                       [&](const std::string& p) { return enrolled.count(p); });
    auto sha = sha256_file((dir / r[0]).string());
    if (!sha) return sha.error();
    if (all_known && !enrolled_sha.count(*sha)) {
      data.photos.push_back({(dir / r[0]).string(), people, false, {}});
    }
  }
  return data;
}

struct FaceModels {
  std::unique_ptr<FaceDetector> detector;
  std::unique_ptr<FaceEmbedder> embedder;
};

struct Timings {
  std::vector<double> detect_ms;  // per photo, including a padded retry
  int padded_retries = 0;         // photos where only the padded photo showed a face
  std::vector<double> embed_ms;   // per face: align + embed
};

struct QualityTally {
  int faces = 0;
  std::map<std::string, int> rejected;
  std::vector<double> sharpness, face_px, frontalness;
};

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Faces of a whole photo; a photo where none is found is retried with a margin around it.
Expected<std::vector<Face>> find_faces(FaceDetector& detector, const cv::Mat& bgr,
                                       int& padded_retries) {
  auto faces = detector.detect(bgr);
  if (!faces || !faces->empty()) return faces;
  ++padded_retries;
  const PaddedImage padded = pad_image(bgr, kTightCropMarginFraction);
  faces = detector.detect(padded.image);
  if (!faces) return faces;
  for (Face& f : *faces) f = shift_face(f, -padded.offset);
  return faces;
}

Status embed_photo(FaceModels& models, Photo& photo, Timings& timings, QualityTally& quality,
                   bool quality_gate) {
  auto image = read_image(photo.path);
  if (!image) return image.error();
  const auto detect_start = Clock::now();
  auto faces = find_faces(*models.detector, *image, timings.padded_retries);
  if (!faces) return faces.error();
  timings.detect_ms.push_back(ms_since(detect_start));
  if (faces->size() > photo.identities.size()) faces->resize(photo.identities.size());
  for (const Face& face : *faces) {
    const auto embed_start = Clock::now();
    auto aligned = align_face(*image, face, models.embedder->face_template());
    if (!aligned) continue;
    auto embedding = models.embedder->embed(*aligned);
    if (!embedding) return embedding.error();
    timings.embed_ms.push_back(ms_since(embed_start));
    const FaceQuality q = assess_face(face, *aligned, FaceQualityParams{});
    if (!photo.enrol && quality_gate && !q.acceptable()) continue;
    photo.faces.push_back(std::move(*embedding));
    ++quality.faces;
    quality.sharpness.push_back(q.sharpness);
    quality.face_px.push_back(q.face_px);
    quality.frontalness.push_back(q.frontalness);
    if (!q.acceptable()) ++quality.rejected[q.rejected_because];
  }
  return {};
}

struct Round {
  std::string stranger;
  int gallery_templates = 0;
  int known_faces = 0, top1_correct = 0, accepted_correct = 0, misidentified = 0;
  int missed_photos = 0;                     // probes where no face was found
  std::vector<float> genuine_scores;         // similarity of each correct top-1 probe face
  std::vector<float> stranger_scores;        // best gallery similarity of each stranger face
  std::vector<std::string> stranger_labels;  // "file -> closest employee", per stranger face
  float threshold = 0;
  std::vector<std::string> false_accepts;
};

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

void enrol_all_but(const Dataset& data, const std::string& stranger, Gallery& gallery) {
  for (const Photo& p : data.photos) {
    if (p.enrol && p.identities.front() != stranger && !p.faces.empty()) {
      FAI_CHECK(gallery.enrol(p.identities.front(), p.faces.front()).ok());
    }
  }
}

// Top-1 is the closest employee regardless of threshold; accepted/misidentified use the threshold.
Round score_round(const Dataset& data, const std::string& stranger, TemplateScoring scoring) {
  Round round;
  round.stranger = stranger;
  Gallery gallery(0, scoring);
  enrol_all_but(data, stranger, gallery);
  round.gallery_templates = gallery.templates();
  std::set<std::string> stranger_files;  // a stranger's photo counts once, enrol or probe
  for (const Photo& p : data.photos) {
    if (contains(p.identities, stranger)) {
      if (p.identities.size() == 1 && stranger_files.insert(p.path).second) {
        for (const Embedding& e : p.faces) {
          const GalleryMatch m = gallery.identify(e);
          round.stranger_scores.push_back(m.similarity);
          round.stranger_labels.push_back(fs::path(p.path).filename().string() + " -> " +
                                          m.best_candidate);
        }
      }
      continue;
    }
    if (p.enrol) continue;
    if (p.faces.empty()) ++round.missed_photos;
    for (const Embedding& e : p.faces) {
      const GalleryMatch m = gallery.identify(e);
      ++round.known_faces;
      const bool correct = contains(p.identities, m.best_candidate);
      round.top1_correct += correct;
      if (correct) round.genuine_scores.push_back(m.similarity);
    }
  }
  return round;
}

// Needs the probes' similarities again at the round's threshold.
void apply_threshold(const Dataset& data, Round& round, TemplateScoring scoring) {
  Gallery gallery(round.threshold, scoring);
  enrol_all_but(data, round.stranger, gallery);
  for (const Photo& p : data.photos) {
    if (p.enrol || contains(p.identities, round.stranger)) continue;
    for (const Embedding& e : p.faces) {
      const GalleryMatch m = gallery.identify(e);
      if (!m.employee_id) continue;
      contains(p.identities, *m.employee_id) ? ++round.accepted_correct : ++round.misidentified;
    }
  }
  for (size_t i = 0; i < round.stranger_scores.size(); ++i) {
    if (round.stranger_scores[i] < round.threshold) continue;
    char similarity[16];
    std::snprintf(similarity, sizeof similarity, " %.3f", round.stranger_scores[i]);
    round.false_accepts.push_back(round.stranger_labels[i] + similarity);
  }
}

Status calibrate_rounds(std::vector<Round>& rounds, double max_far) {
  for (size_t i = 0; i < rounds.size(); ++i) {
    std::vector<float> others;
    for (size_t j = 0; j < rounds.size(); ++j) {
      if (j != i) {
        others.insert(others.end(), rounds[j].stranger_scores.begin(),
                      rounds[j].stranger_scores.end());
      }
    }
    auto threshold = calibrate_threshold(others, max_far);
    if (!threshold) return threshold.error();
    rounds[i].threshold = *threshold;
  }
  return {};
}

double percent(int part, int whole) {
  return whole > 0 ? 100.0 * part / whole : 0.0;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

void print_rounds(const std::vector<Round>& rounds) {
  std::printf("%-22s %9s %6s %7s %9s %8s %9s %9s %8s\n", "stranger", "templates", "probes", "top1%",
              "accept%", "misid", "threshold", "strangers", "FAR%");
  Round total;
  total.stranger = "ALL (sum)";
  double threshold_sum = 0;
  for (const Round& r : rounds) {
    std::printf("%-22s %9d %6d %7.1f %9.1f %8d %9.3f %9zu %8.1f\n", r.stranger.c_str(),
                r.gallery_templates, r.known_faces, percent(r.top1_correct, r.known_faces),
                percent(r.accepted_correct, r.known_faces), r.misidentified, r.threshold,
                r.stranger_scores.size(),
                percent(static_cast<int>(r.false_accepts.size()),
                        static_cast<int>(r.stranger_scores.size())));
    total.known_faces += r.known_faces;
    total.top1_correct += r.top1_correct;
    total.accepted_correct += r.accepted_correct;
    total.misidentified += r.misidentified;
    total.false_accepts.insert(total.false_accepts.end(), r.false_accepts.begin(),
                               r.false_accepts.end());
    total.missed_photos += r.missed_photos;
    threshold_sum += r.threshold;
    total.stranger_scores.insert(total.stranger_scores.end(), r.stranger_scores.begin(),
                                 r.stranger_scores.end());
  }
  const int strangers = static_cast<int>(total.stranger_scores.size());
  std::printf("%-22s %9s %6d %7.1f %9.1f %8d %9.3f %9d %8.1f\n", total.stranger.c_str(), "",
              total.known_faces, percent(total.top1_correct, total.known_faces),
              percent(total.accepted_correct, total.known_faces), total.misidentified,
              threshold_sum / static_cast<double>(rounds.size()), strangers,
              percent(static_cast<int>(total.false_accepts.size()), strangers));
  for (const std::string& accepted : total.false_accepts) {
    std::printf("false accept: %s\n", accepted.c_str());
  }
  if (total.missed_photos > 0) {
    std::printf("probe photos without a detected face (summed over rounds): %d\n",
                total.missed_photos);
  }
}

float quantile(std::vector<float> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

// How far apart the two score distributions are: with 55 strangers one false accept is 1.8 %,
// so FAR alone cannot rank small changes; the gap between them can.
void print_separation(const std::vector<Round>& rounds) {
  std::vector<float> genuine, strangers;
  for (const Round& r : rounds) {
    genuine.insert(genuine.end(), r.genuine_scores.begin(), r.genuine_scores.end());
    strangers.insert(strangers.end(), r.stranger_scores.begin(), r.stranger_scores.end());
  }
  if (genuine.empty() || strangers.empty()) return;
  const float genuine_min = quantile(genuine, 0), stranger_max = quantile(strangers, 1);
  const auto above =
      std::count_if(strangers.begin(), strangers.end(), [&](float s) { return s >= genuine_min; });
  std::printf(
      "separation: genuine min %.3f p5 %.3f median %.3f; strangers median %.3f p95 %.3f max "
      "%.3f; strangers at or above the weakest genuine: %ld of %zu\n",
      genuine_min, quantile(genuine, 0.05), quantile(genuine, 0.5), quantile(strangers, 0.5),
      quantile(strangers, 0.95), stranger_max, static_cast<long>(above), strangers.size());
}

// For --threshold on another data set: calibrated on every stranger face of this one.
void print_pooled_threshold(const std::vector<Round>& rounds, double max_far) {
  std::vector<float> all;
  for (const Round& r : rounds) {
    all.insert(all.end(), r.stranger_scores.begin(), r.stranger_scores.end());
  }
  if (auto threshold = calibrate_threshold(all, max_far)) {
    std::printf(
        "threshold from all %zu stranger faces of this set (for --threshold elsewhere): "
        "%.3f\n",
        all.size(), *threshold);
  }
}

Expected<FaceModels> open_models(const GlobalOptions& options, const EvalFacesOptions& opt) {
  auto config = resolve_config(options);
  if (!config) return config.error();
  auto manifest = load_manifest(config->inference.models_dir);
  if (!manifest) return manifest.error();
  const ModelInfo* detector_model = manifest->find(opt.detector_model);
  const ModelInfo* embedder_model = manifest->find(opt.embedder_model);
  if (!detector_model || !embedder_model) {
    return make_error(ErrorCode::kNotFound,
                      opt.detector_model + " or " + opt.embedder_model +
                          " is not in the manifest: run tools/models/build.py");
  }
  BlazeFaceDecodeParams params;
  params.min_score = opt.min_face_score;
  const int threads = config->inference.threads;
  auto detector = FaceDetector::open(*detector_model, config->inference.backend, threads, params);
  if (!detector) return detector.error();
  auto embedder = FaceEmbedder::open(*embedder_model, config->inference.backend, threads);
  if (!embedder) return embedder.error();
  if (opt.flip != "default") (*embedder)->set_flip_augmentation(opt.flip == "on");
  if (opt.align != "default") {
    (*embedder)->set_align_points(opt.align == "five" ? AlignPoints::kEyesNoseMouth
                                                      : AlignPoints::kEyes);
  }
  return FaceModels{std::move(*detector), std::move(*embedder)};
}

void print_setup(const Dataset& data, const EvalFacesOptions& opt, const Timings& timings,
                 const QualityTally& quality) {
  const auto enrol =
      std::count_if(data.photos.begin(), data.photos.end(), [](const Photo& p) { return p.enrol; });
  std::printf(
      "%zu identities, %zu photos (%ld for enrolment, up to %d per identity); "
      "embedder %s (flip %s, align %s), %s-template scoring\n",
      data.identities.size(), data.photos.size(), static_cast<long>(enrol), opt.enrol_per_identity,
      opt.embedder_model.c_str(), opt.flip.c_str(), opt.align.c_str(), opt.scoring.c_str());
  std::printf(
      "per face: detection %.1f ms (median over %zu photos), align+embed %.1f ms (median "
      "over %zu faces); %d photos needed the padded retry\n",
      median(timings.detect_ms), timings.detect_ms.size(), median(timings.embed_ms),
      timings.embed_ms.size(), timings.padded_retries);
  std::printf(
      "quality (medians): face %.0f px, sharpness %.0f, frontalness %.2f; gate (%s): %d faces",
      median(quality.face_px), median(quality.sharpness), median(quality.frontalness),
      opt.quality_gate ? "applied to probes" : "reported, not applied", quality.faces);
  for (const auto& [why, n] : quality.rejected) std::printf(", %d %s", n, why.c_str());
  if (opt.fixed_threshold >= 0) {
    std::printf("\nthreshold fixed at %.3f (--threshold)\n", opt.fixed_threshold);
  } else {
    std::printf("\nthreshold per round: <= %.1f %% FAR on the other rounds' strangers\n",
                100 * opt.max_false_accept_rate);
  }
}

int run_eval_faces(const GlobalOptions& options, const EvalFacesOptions& opt) {
  const fs::path dir(opt.dir);
  if (!fs::is_directory(dir)) {
    return report(make_error(ErrorCode::kNotFound, "no such folder: " + opt.dir));
  }
  auto data = fs::exists(dir / "identities.csv")
                  ? csv_dataset(dir, opt.enrol_per_identity)
                  : Expected<Dataset>(folder_dataset(dir, opt.enrol_per_identity));
  if (!data) return report(data.error());
  if (data->identities.size() < 2) {
    return report(make_error(ErrorCode::kInvalidArgument, "need at least two identities"));
  }
  auto models = open_models(options, opt);
  if (!models) return report(models.error());
  Timings timings;
  QualityTally quality;
  for (Photo& photo : data->photos) {
    if (Status s = embed_photo(*models, photo, timings, quality, opt.quality_gate); !s) {
      return report(s.error());
    }
  }
  const TemplateScoring scoring =
      opt.scoring == "mean" ? TemplateScoring::kMeanTemplate : TemplateScoring::kBestTemplate;
  std::vector<Round> rounds;
  for (const std::string& stranger : data->identities) {
    rounds.push_back(score_round(*data, stranger, scoring));
  }
  if (opt.fixed_threshold >= 0) {
    for (Round& r : rounds) r.threshold = opt.fixed_threshold;
  } else if (Status s = calibrate_rounds(rounds, opt.max_false_accept_rate); !s) {
    return report(s.error());
  }
  for (Round& r : rounds) apply_threshold(*data, r, scoring);
  print_setup(*data, opt, timings, quality);
  print_rounds(rounds);
  print_separation(rounds);
  print_pooled_threshold(rounds, opt.max_false_accept_rate);
  return 0;
}

}  // namespace

void add_eval_faces_command(CLI::App& eval, const GlobalOptions& options, int& exit_code) {
  auto opt = std::make_shared<EvalFacesOptions>();
  auto* faces = eval.add_subcommand(
      "faces", "Face identification: top-1, false accepts of held-out strangers, threshold");
  faces->add_option("dir", opt->dir, "Folder per identity, or a folder with identities.csv")
      ->required();
  faces->add_option("--enrol", opt->enrol_per_identity, "Photos enrolled per identity")
      ->check(CLI::Range(1, 100));
  faces
      ->add_option("--max-far", opt->max_false_accept_rate,
                   "False accept rate the threshold is calibrated to")
      ->check(CLI::Range(0.0, 1.0));
  faces
      ->add_option("--threshold", opt->fixed_threshold,
                   "Fixed cosine threshold (e.g. calibrated on another set) instead of calibrating")
      ->check(CLI::Range(-1.0, 1.0));
  faces->add_option("--embedder", opt->embedder_model, "face_embed model in the manifest");
  faces->add_option("--scoring", opt->scoring, "Per employee: best template or mean")
      ->check(CLI::IsMember({"best", "mean"}));
  faces->add_option("--flip", opt->flip, "Mirror test-time augmentation (default: the embedder's)")
      ->check(CLI::IsMember({"on", "off", "default"}));
  faces->add_option("--align", opt->align, "Alignment points: eyes | five (eyes, nose, mouth)")
      ->check(CLI::IsMember({"eyes", "five", "default"}));
  faces->add_flag("--quality-gate", opt->quality_gate,
                  "Drop probe faces that fail the quality gate (they count as missed)");
  faces->callback([&options, &exit_code, opt] { exit_code = run_eval_faces(options, *opt); });
}

}  // namespace fai::cli
