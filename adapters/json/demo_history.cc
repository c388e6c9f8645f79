#include "adapters/json/demo_history.h"

namespace folio::json {
namespace {

// The demo history: every method, refunds (partial, to credit, one
// refused), credits, and client money in trust. Times are relative to now so
// that nothing has expired yet when the demo runs.
constexpr const char* kDemoHistoryText = R"(
{"type":"customer.set_preference","idempotency_key":"demo-01","customer_id":"c-zhang","method":"wechat_pay"}
{"type":"payment.create","idempotency_key":"demo-02","payment_id":"p-1001","customer_id":"c-zhang","order_id":"INV-2026-1001","method":"alipay","amount":"1280.00","currency":"CNY","description":"consultation"}
{"type":"payment.mark_pending","idempotency_key":"demo-03","payment_id":"p-1001","gateway_trade_no":"2026112122001100","qr_payload":"https://qr.alipay.com/bax0001"}
{"type":"payment.settle","idempotency_key":"demo-04","payment_id":"p-1001","gateway_txn_id":"2026112122001100","gateway_fee":"7.68","currency":"CNY"}
{"type":"refund.request","idempotency_key":"demo-05","refund_id":"r-1","payment_id":"p-1001","amount":"280.00","currency":"CNY","reason":"partial service"}
{"type":"refund.succeed","idempotency_key":"demo-06","refund_id":"r-1","gateway_refund_id":"RF20261121001"}
{"type":"refund.request","idempotency_key":"demo-07","refund_id":"r-2","payment_id":"p-1001","amount":"1100.00","currency":"CNY","reason":"too much: refused"}
{"type":"refund.request","idempotency_key":"demo-08","refund_id":"r-3","payment_id":"p-1001","amount":"100.00","currency":"CNY","target":"customer_credit","credit_id":"cr-r3"}
{"type":"refund.succeed","idempotency_key":"demo-09","refund_id":"r-3"}
{"type":"payment.create","idempotency_key":"demo-10","payment_id":"p-1002","customer_id":"c-li","order_id":"INV-2026-1002","method":"wechat_pay","amount":"560.00","currency":"CNY"}
{"type":"payment.settle","idempotency_key":"demo-11","payment_id":"p-1002","gateway_txn_id":"4200002026112100001","gateway_fee":"3.36","currency":"CNY"}
{"type":"payment.create","idempotency_key":"demo-12","payment_id":"p-1003","customer_id":"c-li","order_id":"INV-2026-1003","method":"unionpay","amount":"2300.00","currency":"CNY"}
{"type":"payment.fail","idempotency_key":"demo-13","payment_id":"p-1003","reason":"insufficient funds","gateway_code":"51"}
{"type":"payment.create","idempotency_key":"demo-14","payment_id":"p-1004","customer_id":"c-smith","order_id":"INV-2026-1004","method":"card","amount":"420.00","currency":"USD"}
{"type":"payment.settle","idempotency_key":"demo-15","payment_id":"p-1004","gateway_txn_id":"CARD-88213","gateway_fee":"12.18","currency":"USD"}
{"type":"payment.create","idempotency_key":"demo-16","payment_id":"p-1005","customer_id":"c-wang","order_id":"INV-2026-1005","method":"bank_transfer","amount":"15000.00","currency":"CNY"}
{"type":"payment.settle","idempotency_key":"demo-17","payment_id":"p-1005","gateway_txn_id":"BANK-20261121-7781"}
{"type":"payment.create","idempotency_key":"demo-18","payment_id":"p-1006","customer_id":"c-chen","order_id":"INV-2026-1006","method":"usdt_trc20","network":"TRC20","amount":"300.000000","currency":"USDT"}
{"type":"payment.observe_confirmations","idempotency_key":"demo-19","payment_id":"p-1006","tx_hash":"a3f9e1c0d2b4","confirmations":7,"block_height":66100000}
{"type":"payment.observe_confirmations","idempotency_key":"demo-20","payment_id":"p-1006","tx_hash":"a3f9e1c0d2b4","confirmations":19,"block_height":66100012}
{"type":"payment.create","idempotency_key":"demo-21","payment_id":"p-1007","customer_id":"c-chen","order_id":"INV-2026-1007","method":"usdt_erc20","network":"ERC20","amount":"120.000000","currency":"USDT"}
{"type":"payment.create","idempotency_key":"demo-22","payment_id":"p-1008","customer_id":"c-chen","order_id":"INV-2026-1008","method":"usdt_bep20","network":"BEP20","amount":"75.500000","currency":"USDT"}
{"type":"payment.create","idempotency_key":"demo-23","payment_id":"p-1009","customer_id":"c-zhao","order_id":"INV-2026-1009","method":"btc","network":"BTC","amount":"0.01500000","currency":"BTC"}
{"type":"payment.observe_confirmations","idempotency_key":"demo-24","payment_id":"p-1009","tx_hash":"7be1c9f04a","confirmations":6,"block_height":871234}
{"type":"payment.create","idempotency_key":"demo-25","payment_id":"p-1010","customer_id":"c-zhao","order_id":"INV-2026-1010","method":"eth","network":"ETH","amount":"0.250000000000000000","currency":"ETH"}
{"type":"payment.observe_confirmations","idempotency_key":"demo-26","payment_id":"p-1010","tx_hash":"0x5d1e8a","confirmations":12,"block_height":21000456}
{"type":"credit.issue","idempotency_key":"demo-27","credit_id":"cr-welcome","customer_id":"c-li","amount":"50.00","currency":"CNY","reason":"welcome"}
{"type":"credit.apply","idempotency_key":"demo-28","credit_id":"cr-welcome","invoice_id":"INV-2026-1011","amount":"20.00","currency":"CNY","application_id":"ap-1"}
{"type":"trust.deposit","idempotency_key":"demo-29","deposit_id":"td-1","client_id":"cl-acme","matter_id":"m-2026-017","amount":"50000.00","currency":"CNY","method":"bank_transfer","reference":"BANK-REF-5521","payer":"ACME Trading Co."}
{"type":"trust.deposit","idempotency_key":"demo-30","deposit_id":"td-2","client_id":"cl-acme","matter_id":"m-2026-017","amount":"8000.00","currency":"CNY","method":"bank_transfer","reference":"BANK-REF-5530","payer":"ACME Trading Co.","cleared":false}
{"type":"trust.disburse","idempotency_key":"demo-31","disbursement_id":"tdb-1","client_id":"cl-acme","matter_id":"m-2026-017","amount":"3500.00","currency":"CNY","payee":"Shanghai No.1 Intermediate Court","purpose":"filing fee"}
{"type":"trust.disburse","idempotency_key":"demo-32","disbursement_id":"tdb-2","client_id":"cl-acme","matter_id":"m-2026-017","amount":"50000.00","currency":"CNY","payee":"Expert witness","purpose":"refused: only cleared money"}
{"type":"trust.clear_deposit","idempotency_key":"demo-33","deposit_id":"td-2","client_id":"cl-acme","matter_id":"m-2026-017"}
{"type":"trust.transfer_fees","idempotency_key":"demo-34","transfer_id":"tf-1","client_id":"cl-acme","matter_id":"m-2026-017","amount":"12000.00","currency":"CNY","invoice_id":"INV-2026-0930"}
{"type":"payment.create","idempotency_key":"demo-35","payment_id":"p-1012","customer_id":"c-liu","order_id":"RETAINER-2026-044","method":"alipay","amount":"20000.00","currency":"CNY","destination":"trust","client_id":"cl-liu","matter_id":"m-2026-044"}
{"type":"payment.settle","idempotency_key":"demo-36","payment_id":"p-1012","gateway_txn_id":"2026112122001200","gateway_fee":"120.00","currency":"CNY"}
{"type":"trust.refund_client","idempotency_key":"demo-37","refund_id":"trf-1","client_id":"cl-liu","matter_id":"m-2026-044","amount":"2000.00","currency":"CNY","reference":"unused retainer"}
)";

}  // namespace

std::string_view DemoHistory() { return kDemoHistoryText; }

}  // namespace folio::json
