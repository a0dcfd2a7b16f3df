"""Seed lessons for the learning filter, so that it knows something on the first day.

Written for this community, kept apart from the test corpus in tests/data (a test checks that
no text is shared). Moderators' decisions soon outweigh these.
"""

from __future__ import annotations

__all__ = ["SEED_LEGITIMATE", "SEED_SPAM"]

SEED_SPAM: tuple[str, ...] = (
    "Brightline Digital, an award-winning studio, specialises in web design and SEO services "
    "for small businesses. Visit brightlinedigital.co to learn more.",
    "Nova Removals is a trusted company that provides house clearance and removal services "
    "across the country. Call now for a free quote! https://nova-removals-quotes.com",
    "We are a leading agency that specializes in reputation management services. "
    "Get started today at https://repshield-pro.net",
    "Great post! Very informative. Check out my website https://quick-loans-247.com",
    "Nice article, thanks for sharing. https://best-essay-helpers.org",
    "Keep up the good work!! https://slotsmania-bonus.xyz",
    "Looking for cheap essay writing help? Our expert writers deliver plagiarism free papers "
    "in 3 hours. Order now at essaymasters-uk.com and get 20% off.",
    "Write my assignment for me? Yes! Top-rated academic writers, money-back guarantee, "
    "100% original work. Visit our website today.",
    "Dissertation writing service with PhD writers. Cheap prices, fast delivery, "
    "WhatsApp +1 555 0100 for a discount.",
    "Buy cheap viagra online without prescription, fast worldwide shipping, discreet "
    "packaging. https://pharma-direct-rx.shop",
    "Online pharmacy: buy tramadol tablets and cialis at the lowest price. No prescription "
    "needed. meds-express24.net",
    "Lose weight fast with our keto pills, 100% guaranteed results or your money back! "
    "Order yours today https://slimfast-keto-gummies.store",
    "Best online casino 2024: 500 free spins and a 200% welcome bonus. Play slots and "
    "poker now at https://royal-jackpot-casino.bet",
    "Win big with our sportsbook! Betting tips every day, join thousands of winners. "
    "https://winner-tips-bet.com",
    "I made $5,000 in one week with this bitcoin trading platform. Passive income and "
    "financial freedom are real. Contact the account manager on Telegram @cryptoqueen",
    "Lost your crypto to a scam? Our recovery experts recover lost funds from any wallet. "
    "Contact us today: fundsback-recovery.io",
    "Forex trading signals with 95% accuracy. Join our VIP group and start earning. "
    "https://fx-signals-vip.top",
    "Need a payday loan today? Bad credit OK, instant approval, cash in your account in "
    "minutes. Apply at quickcash-loans.co.uk",
    "Debt relief and credit repair services you can trust. Ring today for a no-obligation "
    "chat. https://debtfree-now.us",
    "Buy Instagram followers and likes, real and active, cheapest price on the market. "
    "https://socialboost-followers.com",
    "Hot singles in your area are waiting. Free dating site, sign up now! "
    "https://meet-local-singles.club",
    "Work from home and earn $300 a day! No experience needed, just a phone. Click here "
    "to start: https://home-income-fast.site",
    "Rank on Google page 1 in 30 days! We build high quality backlinks and do complete SEO "
    "for your website. Affordable packages.",
    "Guest posting service: get do-follow backlinks on high DA websites. DM me for the price list.",
    "Hello admin, I want to buy a guest post on your site. Please tell me your price. "
    "I have many clients who need links.",
    "ThinkPlus Consulting is a professional firm that offers bookkeeping, payroll and tax "
    "services to companies of every size. Contact us today.",
    "Looking for the best services in carpet cleaning? SparkleClean is the number one "
    "choice in the city. Book now https://sparkleclean-pros.com",
    "Emergency locksmith 24/7, fast response, cheap rates. Call now! https://lockfix-24hr.co",
    "Acme Printing is a well-known company which delivers business cards, flyers and "
    "banners for less. Order online at acmeprintshop.net",
    "Get the best deals on used cars. Finance available, buy now pay later. "
    "https://autodeals-direct.online",
    "https://cheap-followers-now.com https://cheap-followers-now.com/buy",
    "https://casino-vip-spins.xyz",
    "visit https://essay-pro-writers.net",
    "click here http://bit-prize-win.click",
    "Very nice blog and useful information. I also wrote about this, see my page "
    "https://travel-deals-blog.info",
    "Awesome content, I bookmarked your site. Also check out my store for phone cases "
    "https://casekingdom-shop.com",
    "This is really helpful information thanks. Buy real YouTube subscribers at "
    "https://tubegrowth-fast.com",
    "Download the latest movies for free in HD, no sign up. https://free-movies-hd.live",
    "Our CBD oil cures anxiety, pain and insomnia. Order today and get free shipping! "
    "https://pure-cbd-wellness.shop",
    "Earn crypto every day by playing games! Invite friends and get a bonus. "
    "https://play2earn-rewards.xyz",
    "Are you looking for a trusted provider that specializes in roofing and gutter "
    "services? RoofPro has 20 years of experience. Call us now.",
    "Best SEO company in London offering SEO services, PPC and social media marketing. "
    "Visit our site for a free audit.",
    "Get your assignment done by experts. Homework help for nursing students, cheap and "
    "fast. WhatsApp us now.",
    "Nursing essay writing service: top-rated writers for your nursing assignments. "
    "https://nursing-papers-help.com",
    "Fast loans for nurses and doctors, no credit check, apply online in minutes. "
    "https://medic-loans.money",
    "Hi, I am an SEO expert. I noticed your website is not ranking on Google. I can "
    "help you rank your website on the first page. Reply for a quote.",
    "Limited offer: 70% off all designer watches. Buy now before stock runs out! "
    "https://luxwatch-outlet.store",
    "Spin the wheel and win an iPhone! Only today. https://prize-spin-winner.win",
    "I recommend this binary options broker, my profit was 300% in a month. Contact "
    "Mr James on WhatsApp for the investment platform.",
    "Need more followers on TikTok? Cheap and real followers, instant delivery. "
    "https://tokfame-boost.net",
    "Best web hosting service, 99.9% uptime, cheap plans. https://hostfast-cheap.com",
    "Thanks for the article. For the best home care services in Dubai visit "
    "https://dubai-care-services.ae",
    "Excellent write-up. I run a dental clinic in Istanbul offering cheap veneers and "
    "hair transplant packages: https://smile-istanbul-clinic.com",
    "Trusted Turkish hair transplant clinic, all inclusive package with hotel. "
    "Book today https://hairturk-clinic.com",
    "Great information, keep sharing. Need a plumber? https://plumbfast-services.com",
    "Buy verified accounts, PayPal, Cash App and bank logs. Telegram @logs_seller",
    "Are you searching for the best digital marketing agency? We are a reputable "
    "agency that provides SEO, web development and app development services.",
    "Premier Logistics is a reliable business that delivers freight and courier "
    "services worldwide at the best price.",
    "Play online poker and blackjack with real money, instant withdrawals. Join now. "
    "https://pokerstars-bonus-club.com",
    "Cheap flights and hotel deals, book now and save 50%. https://travel-cheap-deals.co",
    "Take my online class for me. Expert tutors, pay after results. https://classhelp.pro",
    "Nice post. https://replica-bags-outlet.shop",
    "Thank you for sharing this wonderful article. casino-bonus-free.com",
    "Improve your website traffic with our SEO tools. Free trial. seo-rank-booster.com",
    "Buy real Google reviews for your business, 5 stars, safe and permanent. "
    "https://review-boost-5star.com",
    "Instant personal loans with low interest, approval in 10 minutes. Click here: "
    "https://loan-approve-now.info",
    "Our ghostwriting team writes ebooks, blog posts and research papers. Hire us for "
    "the best services and unlimited revisions.",
    "Want to make money online? I earn $200 a day with this simple method. Click the "
    "link below to learn how.",
)

SEED_LEGITIMATE: tuple[str, ...] = (
    "We tried a similar PDSA cycle on our respiratory ward last winter. The run chart "
    "looked great for six weeks and then drifted back once the champion went on leave.",
    "Did you measure the time from referral to first appointment, or from referral to "
    "treatment? We found the two told very different stories.",
    "I'm not convinced the bundle was the active ingredient here. Your second chart shows "
    "the improvement starting before the bundle was rolled out.",
    "Thank you for writing this up honestly, including the bits that did not work. That "
    "is the part most case studies leave out.",
    "The NICE guideline on sepsis recognition changed the thresholds in 2024, so it might "
    "be worth checking whether your baseline data used the old criteria: "
    "https://www.nice.org.uk/guidance/ng51",
    "Our practice used SPC charts for appointment demand and it changed the conversation "
    "with the partners. Happy to share the spreadsheet if anyone wants it.",
    "As a community pharmacist I'd add that medicines reconciliation at discharge is where "
    "we see most of the errors. Pharmacy teams need to be in the room early.",
    "Could you say more about how you involved patients? Was it a reference group or did "
    "people with lived experience sit on the project team itself?",
    "This chimes with the King's Fund report on staff wellbeing: "
    "https://www.kingsfund.org.uk/publications/courage-compassion",
    "I disagree with the conclusion. Reducing length of stay is not a good outcome if "
    "readmissions go up, and your data only follows patients for seven days.",
    "We had the same problem with handover at shift change. A two-minute structured "
    "huddle using SBAR made a bigger difference than any new form.",
    "Lovely to see the frailty team get recognition. The daily board round sounds simple "
    "but I know how much work goes into keeping it going.",
    "Is there a version of the driver diagram you could share? I'd like to use it with our "
    "falls prevention group.",
    "The BMJ Quality & Safety paper on measurement for improvement is a good companion "
    "to this: https://qualitysafety.bmj.com/",
    "I work in a small district general hospital and we simply don't have an analyst. "
    "Any tips for teams doing this with Excel and goodwill?",
    "Your point about psychological safety is the heart of it. People won't report near "
    "misses if the last person who did was blamed.",
    "We stopped routine observations at 2am for stable patients on our ward and sleep "
    "scores improved. The nursing team was nervous at first but the data reassured us.",
    "Great to see the waiting list validation work. Did you find many patients who no "
    "longer needed the appointment?",
    "I'd push back gently on calling this a success after one cycle. Three or four "
    "cycles would show whether the change sticks.",
    "The patient leaflet you linked was really clear. We adapted it for our outpatient "
    "clinic with permission from the authors.",
    "For anyone new to this, the NHS England improvement hub has free guides on process "
    "mapping: https://www.england.nhs.uk/sustainableimprovement/",
    "Our GP surgery moved to total triage and the phones got quieter, but some older "
    "patients found the online form hard. We now offer a call-back instead.",
    "How did you get the consultants on board? That is always our sticking point.",
    "I posted a longer reply on the earlier article about this: "
    "[measurement traps](/posts/measurement-traps.html)",
    "It would be interesting to compare this with what the Health Foundation found in "
    "their Q community evaluation.",
    "We ran a similar project on deteriorating patients and the key was getting the "
    "healthcare assistants confident to escalate.",
    "Cost matters too. The new pumps were not cheap, and the business case only worked "
    "once we counted the nursing time saved.",
    "As a patient representative I was pleased to be asked early rather than to approve "
    "something already decided.",
    "I think the annotated run chart is the most useful thing in this post. Every "
    "team should annotate their charts like this.",
    "Minor correction: the CQC report was published in March, not April.",
    "Has anyone tried this approach in mental health services? Inpatient units have very "
    "different flow problems.",
    "Thanks, this is useful. I've shared it with our quality improvement network.",
    "Our trust's discharge lounge was underused until we moved it next to the pharmacy "
    "and started sending TTOs there directly.",
    "The WHO surgical safety checklist is only as good as the conversation around it. "
    "Ticking boxes in silence achieves nothing.",
    "Would you consider a follow-up post on sustaining the change after the project "
    "team disbands? That is where most of our work fades.",
    "I found the section on balancing measures really helpful. We forgot ours and "
    "paid for it later.",
    "We have been running Schwartz Rounds for a year and staff say it helps, but we are "
    "struggling to measure the effect on patient care.",
    "Really thoughtful piece. The bit about starting small and learning fast is exactly "
    "what our board needed to hear.",
    "Not sure I agree that digital is the answer here. Half of our patients don't have "
    "reliable internet at home.",
    "Can you share the operational definition you used for a missed dose? Ours keeps "
    "changing and it wrecks the chart.",
    "I'm a junior doctor and I'd love to get involved in projects like this. Where is "
    "the best place to start?",
    "We published our results in BMJ Open Quality last year and the reviewers asked "
    "exactly the same question about the baseline.",
    "The anticoagulation clinic example resonates. We reduced DNAs by sending text "
    "reminders two days before, not the day before.",
    "Thanks for the reply, Priya. I'll look at the paper and come back with questions.",
    "Our ambulance handover delays come down to beds, not to anything the crews can "
    "change. The improvement has to happen on the wards.",
    "I liked the honest description of the team falling out. Conflict is part of change "
    "and nobody writes about it.",
    "There's a good plain-language explanation of statistical process control on the "
    "NHS Improvement website, worth linking for readers.",
    "Is the toolkit free to use outside England? We're a health board in Wales.",
    "We tried weekly huddles, then daily, and found twice weekly was the sweet spot for "
    "a community nursing team spread over a large area.",
    "It might help to separate the effect of the new staff from the effect of the new "
    "process. You added both in the same month.",
    "Fascinating. Our outpatient team saw similar results with patient-initiated "
    "follow-up for rheumatology.",
    "Please keep writing these. The blog is one of the few places people share failures.",
    "Thank you, I used your template for our first project charter and it made the "
    "scope much clearer.",
    "Who owns the data after the project finishes? We lost two years of measurement when "
    "an analyst left.",
    "The medication safety thermometer data is public and could give you a comparison "
    "group: https://www.england.nhs.uk/",
    "I wonder whether the reduction in falls was partly the new flooring that went in at "
    "the same time.",
    "As a carer, the bit about involving families at discharge made me tearful. We were "
    "told about my dad's discharge an hour before it happened.",
    "We ran our first improvement collaborative online and it worked better than we "
    "expected. Travel time was the biggest barrier before.",
    "I'd recommend the Institute for Healthcare Improvement's open school modules for "
    "anyone starting out: https://www.ihi.org/",
    "Has the trust agreed to fund the posts beyond the pilot? That will decide whether this lasts.",
    "Sorry, a bit off topic, but does anyone know when the next network meet-up is?",
    "Our community mental health team wrote about a similar approach on our own blog: "
    "https://www.mindfulrecovery-cic.org.uk/blog/peer-support",
    "I agree with most of this, but calling it a cheap fix undersells the training time it took.",
    "The chart would be easier to read with the median line shown. Otherwise it's hard "
    "to see the shift.",
    "We've found pre-op assessment phone calls cut on-the-day cancellations by a third. "
    "Happy to compare notes.",
    "The Nuffield Trust analysis of A&E waiting times gives useful context: "
    "https://www.nuffieldtrust.org.uk/resource/a-e-waiting-times",
    "Nice to read something that isn't about targets for once.",
    "Excellent summary of the evidence. I'd add the Cochrane work on clinical audit "
    "to the reading list.",
    "Quick question: did the ethics committee treat this as service evaluation or research?",
    "Our practice nurse runs a buy-in session with every new GP registrar and it's made "
    "the diabetes checks far more consistent.",
)
