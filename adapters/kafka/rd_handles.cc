#include "adapters/kafka/rd_handles.h"

namespace folio::kafka {

Result<ConfPtr> MakeConf(const ConfPairs& pairs) {
  ConfPtr conf(rd_kafka_conf_new());
  char err[512];
  for (const auto& [k, v] : pairs) {
    if (rd_kafka_conf_set(conf.get(), k.c_str(), v.c_str(), err, sizeof err) !=
        RD_KAFKA_CONF_OK) {
      return Status::Error(kKafkaConfig, k + "=" + v + ": " + err);
    }
  }
  return conf;
}

Result<KafkaPtr> NewHandle(rd_kafka_type_t type, ConfPtr conf) {
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), err, sizeof err);
  if (rk == nullptr) return Status::Error(kKafkaConfig, std::string("rd_kafka_new: ") + err);
  (void)conf.release();  // owned by rk now
  return KafkaPtr(rk);
}

Result<int> PartitionCount(rd_kafka_t* rk, const std::string& topic, int timeout_ms) {
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, t, &md, timeout_ms);
  rd_kafka_topic_destroy(t);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaStatus(kKafkaTimeout, err, "metadata of " + topic);
  }
  MetadataPtr owned(md);
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (topic == md->topics[i].topic && md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      return md->topics[i].partition_cnt;
    }
  }
  return 0;
}

Status KafkaStatus(std::string_view code, rd_kafka_resp_err_t err, const std::string& what) {
  return Status::Error(code, what + ": " + rd_kafka_err2str(err));
}

}  // namespace folio::kafka
